// `npm run bench -- match [--sizes 1000000,10000000] [--queries 4000] [--scan-queries 40]`
// Builds random PDQ indexes, plants near-duplicates at distance 1..31 and times single-hash and
// 8-hash (dihedral-style) queries against the naive TypeScript linear scan in the same run.
// Run with `node --expose-gc` so the memory figures are taken after a collection. The machine is shared,
// so each size's row also records the 1-minute load average before and after it.
import { loadavg } from 'node:os'
import { PDQ_WORDS } from '../src/matching/pdq-hash.js'
import { PdqIndex } from '../src/matching/pdq-index.js'
import { linearScan, linearScanMany } from '../src/matching/pdq-linear.js'
import { makeRandom } from './xorshift.js'

interface Options {
  sizes: number[]
  queries: number
  scanQueries: number
}

function parseOptions(args: string[]): Options {
  const options: Options = { sizes: [1_000_000, 10_000_000], queries: 4000, scanQueries: 40 }
  for (let i = 0; i < args.length; i += 2) {
    const value = args[i + 1] ?? ''
    if (args[i] === '--sizes') options.sizes = value.split(',').map(Number)
    else if (args[i] === '--queries') options.queries = Number(value)
    else if (args[i] === '--scan-queries') options.scanQueries = Number(value)
    else throw new Error(`unknown option ${args[i]}`)
  }
  return options
}

function plantedQuery(words: Uint32Array, size: number, random: () => number): Uint32Array {
  const target = random() % size
  const query = words.slice(target * PDQ_WORDS, target * PDQ_WORDS + PDQ_WORDS)
  const distance = 1 + (random() % 31)
  const flipped = new Set<number>()
  while (flipped.size < distance) flipped.add(random() & 255)
  for (const bit of flipped) query[bit >>> 5]! ^= 1 << (bit & 31)
  return query
}

/**
 * Collects twice around a short pause: V8 frees ArrayBuffer backing stores on a background task after
 * the collection, so a single gc() still counts the previous size's arrays.
 */
async function settle(): Promise<NodeJS.MemoryUsage> {
  globalThis.gc?.()
  await new Promise((resolve) => setTimeout(resolve, 300))
  globalThis.gc?.()
  return process.memoryUsage()
}

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`

function timeQueries(count: number, runOne: (i: number) => number): { perSecond: number; found: number } {
  let found = 0
  const start = performance.now()
  for (let i = 0; i < count; i++) found += runOne(i)
  const seconds = (performance.now() - start) / 1000
  return { perSecond: count / seconds, found }
}

const load = (): string => loadavg()[0]!.toFixed(1)

async function benchSize(size: number, options: Options): Promise<string[]> {
  const loadBefore = load()
  const random = makeRandom(0x9e3779b9 ^ size)
  const ids = new Uint32Array(size)
  const words = new Uint32Array(size * PDQ_WORDS)
  for (let i = 0; i < size; i++) ids[i] = i
  for (let i = 0; i < words.length; i++) words[i] = random()
  const singles = Array.from({ length: options.queries }, () => plantedQuery(words, size, random))
  const batches = Array.from({ length: Math.ceil(options.queries / 8) }, () =>
    Array.from({ length: 8 }, () => plantedQuery(words, size, random)),
  )

  const before = await settle()
  const buildStart = performance.now()
  const index = PdqIndex.build(ids, words)
  const buildSeconds = (performance.now() - buildStart) / 1000
  const after = await settle()
  const indexBytes = after.heapUsed + after.external - before.heapUsed - before.external
  const bufferBytes = after.arrayBuffers - before.arrayBuffers
  const rawBytes = size * 32

  const single = timeQueries(singles.length, (i) => (index.query(singles[i]!).length > 0 ? 1 : 0))
  const dihedral = timeQueries(batches.length, (i) => index.queryDihedral(batches[i]!).length)
  const scanCount = Math.min(options.scanQueries, singles.length)
  const scan = timeQueries(scanCount, (i) => (linearScan(ids, words, singles[i]!, 31).length > 0 ? 1 : 0))
  const scanBatches = Math.max(1, Math.floor(scanCount / 8))
  const scanMany = timeQueries(scanBatches, (i) => linearScanMany(ids, words, batches[i]!, 31).length)

  const loadAfter = load()
  const dihedralHashes = dihedral.perSecond * 8
  const scanManyHashes = scanMany.perSecond * 8
  const fmt = (n: number): string => n.toFixed(0)
  return [
    `| ${size.toLocaleString('en-GB')} | MIH index, 1 hash | ${fmt(single.perSecond)} | ${single.found}/${singles.length} | ${buildSeconds.toFixed(1)} s | ${mb(indexBytes)} (${(indexBytes / rawBytes).toFixed(2)}x raw); arrayBuffers +${mb(bufferBytes)}; typed arrays ${mb(index.byteLength)} = ${(index.byteLength / rawBytes).toFixed(2)}x | ${(single.perSecond / scan.perSecond).toFixed(1)}x | ${loadBefore} → ${loadAfter} |`,
    `| | MIH index, 8 hashes (dihedral) | ${fmt(dihedralHashes)} hashes/s (${fmt(dihedral.perSecond)} batches/s) | ${dihedral.found}/${batches.length * 8} | | | ${(dihedralHashes / scanManyHashes).toFixed(1)}x | |`,
    `| | naive TS linear scan, 1 hash | ${scan.perSecond.toFixed(1)} | ${scan.found}/${scanCount} | — | ${mb(rawBytes + size * 4)} (hashes + ids) | 1x | |`,
    `| | naive TS linear scan, 8 hashes | ${scanManyHashes.toFixed(1)} hashes/s | ${scanMany.found}/${scanBatches * 8} | — | | 1x | |`,
  ]
}

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args)
  if (!globalThis.gc) console.warn('warning: run with node --expose-gc for stable memory figures')
  const rows: string[] = []
  for (const size of options.sizes) {
    rows.push(...(await benchSize(size, options)))
    console.error(`done ${size}`)
  }
  console.log(
    `PDQ index bench, radius 31, ${options.queries} planted queries (linear scan: ${options.scanQueries})`,
  )
  console.log(
    '| hashes | method | queries/s (per hash) | planted found | build | memory (heap + external) | vs scan | load |',
  )
  console.log('|---|---|---|---|---|---|---|---|')
  for (const row of rows) console.log(row)
}
