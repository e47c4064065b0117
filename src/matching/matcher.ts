import { loadConfig } from '../platform/config.js'
import type { Queryable } from '../platform/db.js'
import type { ImageCategory } from '../platform/schema.js'
import { LibraryPdqIndex } from './index-sync.js'
import { type CountingEntry, countingEntries, exactEntries } from './library-repo.js'
import { isPdqHex } from './pdq-hash.js'

export interface MatcherOptions {
  /** Largest PDQ distance that counts (PDQ_RADIUS, default 31). */
  radius: number
  /** PDQ hashes of lower quality are not matched, on either side (PDQ_QUALITY_FLOOR, default 50). */
  qualityFloor: number
}

/** What is known about one file: any of its digests and perceptual hashes. */
export interface Probe {
  md5?: string | undefined
  sha1?: string | undefined
  pdq?: string | undefined
  quality?: number | undefined
  /** The 8 dihedral PDQ variants (rotations and flips), when the hasher gave them. */
  dihedral?: readonly string[] | undefined
}

export interface LibraryMatch {
  algorithm: 'md5' | 'sha1' | 'pdq'
  /** Hamming distance for PDQ (0..radius), 0 for exact digests. */
  distance: number
  category: ImageCategory
  hashSet: string
  knownHashId: string
  series: string | null
  victimIdentified: boolean | null
  sourceReference: string | null
}

const BATCH = 5000

function toMatch(entry: CountingEntry, distance: number): LibraryMatch {
  return {
    algorithm: entry.algorithm,
    distance,
    category: entry.category,
    hashSet: entry.hashSet,
    knownHashId: entry.id,
    series: entry.series,
    victimIdentified: entry.victimIdentified,
    sourceReference: entry.sourceReference,
  }
}

/**
 * Matches files against the library: MD5/SHA-1 by exact lookup in batches, PDQ through this
 * process's in-memory index (rotations and flips too when the probe carries its dihedral hashes).
 * Every candidate is confirmed against Postgres, so a disabled set or a withdrawn entry never counts.
 */
export class LibraryMatcher {
  readonly pdq: LibraryPdqIndex

  constructor(
    private readonly db: Queryable,
    readonly options: MatcherOptions,
  ) {
    this.pdq = new LibraryPdqIndex(db, options.qualityFloor)
  }

  /** Matches per probe, in probe order; `confirmWith` lets a job confirm inside its transaction. */
  async match(probes: readonly Probe[], confirmWith: Queryable = this.db): Promise<LibraryMatch[][]> {
    const results: LibraryMatch[][] = probes.map(() => [])
    for (let start = 0; start < probes.length; start += BATCH) {
      const batch = probes.slice(start, start + BATCH)
      await this.matchExact(batch, 'md5', confirmWith, (i, m) => results[start + i]!.push(m))
      await this.matchExact(batch, 'sha1', confirmWith, (i, m) => results[start + i]!.push(m))
      await this.matchPdq(batch, confirmWith, (i, m) => results[start + i]!.push(m))
    }
    for (const list of results)
      list.sort((a, b) => a.distance - b.distance || a.hashSet.localeCompare(b.hashSet))
    return results
  }

  private async matchExact(
    batch: readonly Probe[],
    algorithm: 'md5' | 'sha1',
    db: Queryable,
    found: (index: number, match: LibraryMatch) => void,
  ): Promise<void> {
    const values = new Set<string>()
    for (const probe of batch) {
      const value = probe[algorithm]?.toLowerCase()
      if (value) values.add(value)
    }
    const byValue = new Map<string, CountingEntry[]>()
    for (const entry of await exactEntries(db, algorithm, [...values])) {
      byValue.set(entry.value, [...(byValue.get(entry.value) ?? []), entry])
    }
    batch.forEach((probe, i) => {
      for (const entry of byValue.get(probe[algorithm]?.toLowerCase() ?? '') ?? [])
        found(i, toMatch(entry, 0))
    })
  }

  private async matchPdq(
    batch: readonly Probe[],
    db: Queryable,
    found: (index: number, match: LibraryMatch) => void,
  ): Promise<void> {
    const usable = batch
      .map((probe, i) => ({ probe, i }))
      .filter(({ probe }) => probe.pdq !== undefined && isPdqHex(probe.pdq))
      .filter(({ probe }) => probe.quality === undefined || probe.quality >= this.options.qualityFloor)
    if (usable.length === 0) return
    const index = await this.pdq.current()
    const candidates: { i: number; id: string; distance: number }[] = []
    for (const { probe, i } of usable) {
      const variants = [probe.pdq!, ...(probe.dihedral ?? []).filter(isPdqHex)]
      const hits =
        variants.length > 1
          ? index.queryDihedral(variants, this.options.radius)
          : index.query(variants[0]!, this.options.radius)
      for (const hit of hits) candidates.push({ i, id: String(hit.id), distance: hit.distance })
    }
    const counting = new Map<string, CountingEntry>()
    const ids = [...new Set(candidates.map((c) => c.id))]
    for (let s = 0; s < ids.length; s += BATCH) {
      for (const entry of await countingEntries(db, ids.slice(s, s + BATCH))) counting.set(entry.id, entry)
    }
    for (const candidate of candidates) {
      const entry = counting.get(candidate.id)
      if (entry) found(candidate.i, toMatch(entry, candidate.distance))
    }
  }
}

const matchers = new WeakMap<object, LibraryMatcher>()

/** The process's matcher for this database (index built on first use), with PDQ_* settings. */
export function matcherFor(db: Queryable): LibraryMatcher {
  let matcher = matchers.get(db)
  if (!matcher) {
    const config = loadConfig()
    matcher = new LibraryMatcher(db, { radius: config.pdqRadius, qualityFloor: config.pdqQualityFloor })
    matchers.set(db, matcher)
  }
  return matcher
}
