// `npm run bench -- fuzz [--runs N] [--only le-json|xml|xml-validated|csv|zip] [--seed S]`: feeds N
// mutated inputs (default 100,000) to each parser and counts accepted / refused / crashed. A crash is
// any throw other than RefusalError, or a refusal without a message; its seed is printed so the input
// can be regenerated with the mutators in src/intake/formats/mutations.ts.
import { extractCybertiplineXml, parseCybertiplineXmlBatch } from '../src/intake/formats/cybertipline-xml.js'
import { bundleSeed, leJsonSeed, SIGHTINGS_CSV_SEED, xmlSeeds } from '../src/intake/formats/fuzz-corpus.js'
import { parseLeJson } from '../src/intake/formats/le-json.js'
import {
  mutateCsvText,
  mutateJsonText,
  mutateXmlText,
  seededRandom,
} from '../src/intake/formats/mutations.js'
import { parseP2pCsv } from '../src/intake/formats/p2p-csv.js'
import { readZipBundle } from '../src/intake/formats/zip-bundle.js'
import { buildZip, type FixtureEntry } from '../src/intake/formats/zip-fixture.js'
import { RefusalError } from '../src/intake/model.js'

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name)
  return i >= 0 ? args[i + 1] : undefined
}

interface Tally {
  accepted: number
  refused: number
  crashed: number
  crashes: string[]
}

function record(tally: Tally, seed: number, outcome: unknown): void {
  if (outcome === undefined) tally.accepted++
  else if (outcome instanceof RefusalError && outcome.message.length > 0) tally.refused++
  else {
    tally.crashed++
    if (tally.crashes.length < 5)
      tally.crashes.push(`seed ${seed}: ${outcome instanceof Error ? outcome.stack : String(outcome)}`)
  }
}

function outcomeOf(action: () => unknown): unknown {
  try {
    action()
    return undefined
  } catch (error) {
    return error
  }
}

/** A damaged bundle: bit flips, truncation, a lying size, or a mutated report inside. */
function mutatedBundle(base: FixtureEntry[], seed: number): Buffer {
  const random = seededRandom(seed)
  const choice = Math.floor(random() * 4)
  if (choice === 0) {
    const [report, ...rest] = base
    const content = mutateJsonText(String(report?.content ?? '{}'), seed)
    return buildZip([{ name: report?.name ?? 'r.json', content }, ...rest])
  }
  if (choice === 1) {
    return buildZip(base.map((entry) => ({ ...entry, declaredSize: Math.floor(random() * 100_000_000) })))
  }
  const bytes = buildZip(base)
  if (choice === 2) return bytes.subarray(0, Math.floor(random() * bytes.length))
  for (let flip = 0; flip < 1 + Math.floor(random() * 4); flip++) {
    const at = Math.floor(random() * bytes.length)
    bytes[at] = (bytes[at] ?? 0) ^ (1 << Math.floor(random() * 8))
  }
  return bytes
}

export async function run(args: string[]): Promise<void> {
  const runs = Number(option(args, '--runs') ?? 100_000)
  const only = option(args, '--only')
  const firstSeed = Number(option(args, '--seed') ?? 1)
  const seeds = Array.from({ length: runs }, (_, n) => firstSeed + n)
  const json = leJsonSeed()
  const xml = xmlSeeds()
  const bundle = bundleSeed()
  const mutatedXml = (seed: number) => mutateXmlText(xml[seed % xml.length] ?? '', seed)

  const parsers: Record<string, (tally: Tally) => Promise<void>> = {
    'le-json': async (tally) => {
      for (const seed of seeds)
        record(
          tally,
          seed,
          outcomeOf(() => parseLeJson(mutateJsonText(json, seed))),
        )
    },
    csv: async (tally) => {
      for (const seed of seeds) {
        record(
          tally,
          seed,
          outcomeOf(() =>
            parseP2pCsv(mutateCsvText(SIGHTINGS_CSV_SEED, seed), { windowHours: 1 + (seed % 48) }),
          ),
        )
      }
    },
    // The extractor alone, as if validation were bypassed: the harshest test of its defensive reads.
    xml: async (tally) => {
      for (const seed of seeds)
        record(
          tally,
          seed,
          outcomeOf(() => extractCybertiplineXml(mutatedXml(seed))),
        )
    },
    // The full path through libxml2 schema validation, in batches of 1,000, four at a time.
    'xml-validated': async (tally) => {
      const batch = 1000
      const starts = Array.from({ length: Math.ceil(seeds.length / batch) }, (_, n) => n * batch)
      for (let i = 0; i < starts.length; i += 4) {
        await Promise.all(
          starts.slice(i, i + 4).map(async (start) => {
            const chunk = seeds.slice(start, start + batch)
            try {
              const results = await parseCybertiplineXmlBatch(chunk.map(mutatedXml))
              for (const [n, result] of results.entries()) {
                record(tally, chunk[n] ?? -1, result instanceof RefusalError ? result : undefined)
              }
            } catch (error) {
              for (const seed of chunk)
                record(tally, seed, error instanceof RefusalError ? new Error(String(error)) : error)
            }
          }),
        )
      }
    },
    zip: async (tally) => {
      for (const seed of seeds) {
        const outcome = await readZipBundle(mutatedBundle(bundle, seed)).then(
          () => undefined,
          (error: unknown) => error,
        )
        record(tally, seed, outcome)
      }
    },
  }

  console.log(`fuzz: ${runs} mutated inputs per parser, seeds ${firstSeed}..${firstSeed + runs - 1}`)
  let crashed = 0
  for (const [name, fuzz] of Object.entries(parsers)) {
    if (only && only !== name) continue
    const tally: Tally = { accepted: 0, refused: 0, crashed: 0, crashes: [] }
    const started = performance.now()
    await fuzz(tally)
    const seconds = (performance.now() - started) / 1000
    const rate = Math.round(runs / seconds)
    console.log(
      `${name.padEnd(14)} accepted ${String(tally.accepted).padStart(7)}  refused ${String(tally.refused).padStart(7)}  crashed ${tally.crashed}  ${seconds.toFixed(1)} s  ${rate}/s`,
    )
    for (const crash of tally.crashes) console.log(`  ${crash}`)
    crashed += tally.crashed
  }
  if (crashed > 0) process.exitCode = 1
}
