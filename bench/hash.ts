// `npm run bench -- hash [--images N] [--rounds R]`: PDQ + MD5/SHA-1 throughput on a generated corpus of
// benign 1000×1000 JPEGs (gradients, noise, shapes). Decoding is included; the breakdown comes from the
// single-thread run, where stages do not overlap.
import { mkdtemp, rm } from 'node:fs/promises'
import { availableParallelism, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import sharp from 'sharp'
import { DEFAULT_DECODE_LIMITS } from '../src/hashing/decode.js'
import { type HashOptions, hashFile } from '../src/hashing/hash-file.js'
import { hashPaths } from '../src/hashing/hash-pool.js'
import type { PdqMode } from '../src/hashing/luma.js'
import type { PdqTimings } from '../src/hashing/pdq-image.js'

const SIDE = 1000

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name)
  const value = i >= 0 ? Number(args[i + 1]) : fallback
  return Number.isFinite(value) && value > 0 ? value : fallback
}

/** Deterministic xorshift so every run hashes the same corpus. */
function random(seed: number): () => number {
  let x = seed * 2654435761 || 1
  return () => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return (x >>> 0) / 4294967296
  }
}

function paint(kind: number, seed: number): Buffer {
  const next = random(seed + 1)
  const raw = Buffer.alloc(SIDE * SIDE * 3)
  const [a, b, c] = [next() * 4 + 1, next() * 4 + 1, next() * 255]
  const circles = Array.from({ length: 12 }, () => [
    next() * SIDE,
    next() * SIDE,
    30 + next() * 150,
    next() * 255,
  ])
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const i = (y * SIDE + x) * 3
      let r = (x * a) / 4
      let g = (y * b) / 4
      let bl = (c + (x + y) / 8) % 256
      if (kind === 1) {
        const n = next() * 80
        r = r * 0.6 + n
        g = g * 0.6 + n
        bl = bl * 0.6 + next() * 80
      } else if (kind === 2) {
        for (const [cx, cy, radius, shade] of circles) {
          if ((x - cx!) ** 2 + (y - cy!) ** 2 < radius! ** 2) {
            r = shade!
            g = 255 - shade!
            bl = (shade! * 3) % 256
          }
        }
        if ((x >> 6) % 3 === 0 && (y >> 5) % 4 === 1) r = g = bl = 0
      }
      raw[i] = r
      raw[i + 1] = g
      raw[i + 2] = bl
    }
  }
  return raw
}

async function makeCorpus(dir: string, count: number): Promise<string[]> {
  const files: string[] = []
  for (let i = 0; i < count; i++) {
    const file = join(dir, `bench-${String(i).padStart(3, '0')}.jpg`)
    await sharp(paint(i % 3, i), { raw: { width: SIDE, height: SIDE, channels: 3 } })
      .jpeg({ quality: 90 })
      .toFile(file)
    files.push(file)
  }
  return files
}

interface Row {
  mode: PdqMode
  oneCore: number
  allCores: number
  perCoreAll: number
  /** Process CPU time per image (all threads, libvips included): capacity that other load cannot skew. */
  cpuMsOne: number
  cpuMsAll: number
  timings: PdqTimings & { readDigestMs: number }
}

const cpuMs = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1000

async function measure(files: string[], mode: PdqMode, rounds: number, threads: number): Promise<Row> {
  const options: HashOptions = { mode, dihedral: false, limits: DEFAULT_DECODE_LIMITS }
  for (const file of files.slice(0, 4)) await hashFile(file, options) // JIT warm-up
  const timings = { decodeMs: 0, resizeMs: 0, hashMs: 0, readDigestMs: 0 }
  let t0 = performance.now()
  let cpu0 = process.cpuUsage()
  for (let r = 0; r < rounds; r++) {
    for (const file of files) {
      const before = timings.decodeMs + timings.resizeMs + timings.hashMs
      const start = performance.now()
      const record = await hashFile(file, options, timings)
      if (record.error) throw new Error(`${file}: ${record.error}`)
      timings.readDigestMs +=
        performance.now() - start - (timings.decodeMs + timings.resizeMs + timings.hashMs - before)
    }
  }
  const n = files.length * rounds
  const oneCore = (n * 1000) / (performance.now() - t0)
  const cpuMsOne = cpuMs(process.cpuUsage(cpu0)) / n
  for (const key of Object.keys(timings) as (keyof typeof timings)[]) timings[key] /= n
  // Workers start, load sharp and warm up their JIT once per run, so the pool gets a longer batch.
  const batch = Array.from({ length: rounds * 4 }, () => files).flat()
  await hashPaths(files.slice(0, threads * 2), options, () => {}, { threads }) // worker start-up and warm-up
  t0 = performance.now()
  cpu0 = process.cpuUsage()
  await hashPaths(batch, options, () => {}, { threads })
  const allCores = (batch.length * 1000) / (performance.now() - t0)
  const cpuMsAll = cpuMs(process.cpuUsage(cpu0)) / batch.length
  return { mode, oneCore, allCores, perCoreAll: allCores / threads, cpuMsOne, cpuMsAll, timings }
}

export async function run(args: string[]): Promise<void> {
  const count = option(args, '--images', 30)
  const rounds = option(args, '--rounds', 3)
  const threads = availableParallelism()
  // The single-thread figures are for one core, so libvips gets one thread too.
  sharp.concurrency(1)
  sharp.cache(false)
  const dir = await mkdtemp(join(tmpdir(), 'footprint-bench-hash-'))
  try {
    const files = await makeCorpus(dir, count)
    console.log(
      `corpus: ${count} benign ${SIDE}×${SIDE} JPEGs (q90; gradients, noise, shapes), ${rounds} rounds`,
    )
    console.log(
      `cores: ${threads}; Node ${process.version}; sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}`,
    )
    const rows: Row[] = []
    for (const mode of ['reference', 'full'] as const) rows.push(await measure(files, mode, rounds, threads))
    const fmt = (n: number, digits = 1): string => n.toFixed(digits).padStart(7)
    console.log(
      `load average before: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    )
    console.log('')
    console.log('Wall-clock throughput (decode included):')
    console.log('| mode      | 1 thread img/s | all cores img/s | per core (all) |')
    console.log('|-----------|---------------:|----------------:|---------------:|')
    for (const r of rows) {
      console.log(
        `| ${r.mode.padEnd(9)} | ${fmt(r.oneCore)} | ${fmt(r.allCores)} (${threads}) | ${fmt(r.perCoreAll)} |`,
      )
    }
    console.log('')
    console.log('CPU time per image (process CPU, libvips threads included) and the per-core rate it allows:')
    console.log('| mode      | CPU ms, 1 thread | → img/s/core | CPU ms, pool | → img/s/core |')
    console.log('|-----------|-----------------:|-------------:|-------------:|-------------:|')
    for (const r of rows) {
      console.log(
        `| ${r.mode.padEnd(9)} | ${fmt(r.cpuMsOne, 2)} | ${fmt(1000 / r.cpuMsOne)} | ${fmt(r.cpuMsAll, 2)} | ${fmt(1000 / r.cpuMsAll)} |`,
      )
    }
    console.log('')
    console.log('Breakdown per image, 1 thread (wall ms, stages do not overlap):')
    console.log('| mode      | read+MD5+SHA-1 | decode (sharp) | resize+luma | PDQ (filter, DCT, bits) |')
    console.log('|-----------|---------------:|---------------:|------------:|------------------------:|')
    for (const r of rows) {
      const t = r.timings
      console.log(
        `| ${r.mode.padEnd(9)} | ${fmt(t.readDigestMs, 2)} | ${fmt(t.decodeMs, 2)} | ${fmt(t.resizeMs, 2)} | ${fmt(t.hashMs, 2)} |`,
      )
    }
    console.log(
      `load average after: ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')}`,
    )
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
