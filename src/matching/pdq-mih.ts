/**
 * An immutable multi-index-hashing (MIH) segment over packed PDQ hashes (Norouzi et al.; the same
 * 16 x 16-bit split as the C++ reference and FAISS IndexBinaryMultiHash), laid out in flat typed arrays
 * instead of the reference's std::map/std::set.
 *
 * Pigeonhole: cut the 256 bits into 16 chunks of 16 bits. If two hashes differ in at most r bits, some
 * chunk differs in at most p = floor(r / 16) bits, so probing every table with all keys within p bits
 * of the query's chunk finds every match (at r = 31: 16 tables x 17 keys).
 *
 * Pair filter: a stronger pigeonhole also holds. Some chunk t has d_t <= p AND d_t + d_{t+1} <= b
 * (indices mod 16), b = pairBound(r) = floor(r / 8) (3 at r = 31; proof in pdq-pair-bound.ts). So table t only needs
 * the entries whose next chunk is within b - d_t of the query's. Each table entry carries the top bits
 * of chunk t+1 (a fingerprint; the distance on a subset of bits never exceeds the distance on the
 * chunk), and most random candidates are dropped while the table is scanned, before any miss into the
 * hash array.
 *
 * Layout (docs/decisions/0003-pdq-index.md has the memory math):
 * - `words` holds the hashes re-ordered by chunk 0, so table 0 needs only its bucket offsets: a bucket
 *   is a contiguous run of hashes (the "free" table), and its pair filter reads chunk 1 in place.
 * - tables 1..15 are CSR: `offsets[t]` (65,537 uint32) and one uint32 per hash, sorted by key and
 *   ascending position. Buckets are always scanned from their start, so a position is stored as a
 *   delta: position = block * 2^17 + low, each entry [3-bit block step from the previous entry | 17
 *   low bits | 12-bit fingerprint]. At any size entries are ~0.5 blocks apart (N / 65,536 per bucket
 *   over N / 2^17 blocks), so a step of 7+ is rare and costs one "escape" entry holding the jump (333
 *   in 150M entries for 10M random hashes; at worst N / 14 per table). Plain `position << 8 |
 *   fingerprint` leaves 8 bits at 10M, 7 above 2^24; 12 bits pass ~2% of random entries, not ~15%.
 * - duplicates across tables are dropped without a "seen" set: a candidate found in table t is reported
 *   only if no earlier table s < t would also have accepted it (probe radius and pair filter). That is
 *   computed only for candidates within the radius, so it is free.
 */

import { PDQ_WORDS, popcount32 } from './pdq-hash.js'
import { pairBound } from './pdq-pair-bound.js'

const TABLES = 16
const CHUNK_BITS = 16
const KEYS = 1 << CHUNK_BITS
/** Beyond this per-chunk probe radius (r >= 48) the ball of keys outgrows a plain scan. */
const MAX_PROBE_RADIUS = 2
/** Position bits stored literally in a table entry; the rest of the position is a running block count. */
const LOW_BITS = 17
/** Block step field of a table entry: steps 0..6, 7 marks an escape (see buildTable). */
const STEP_BITS = 3
/** Candidates per touch-then-verify block; 64-256 measured best (fits L1/L2 with room to spare). */
const TOUCH_BLOCK = 128
/**
 * Below this many hashes the segment keeps no tables and scans: the tables cost a fixed 4 MB of bucket
 * offsets, and a scan of 4,096 hashes takes tens of microseconds.
 */
export const MIN_INDEXED_SIZE = 4096

/** Key masks within Hamming distance 0, 1, 2 of a 16-bit key, grouped by weight. */
const PROBE_MASKS: readonly Uint16Array[] = (() => {
  const byWeight: number[][] = [[], [], []]
  for (let mask = 0; mask < KEYS; mask++) {
    const weight = popcount32(mask)
    if (weight <= MAX_PROBE_RADIUS) byWeight[weight]!.push(mask)
  }
  return byWeight.map((masks) => Uint16Array.from(masks))
})()

/** Keys probed per table at the largest probe radius: 1 + 16 + 120. */
const PROBES_PER_TABLE = PROBE_MASKS.reduce((sum, masks) => sum + masks.length, 0)

/** Written by the touch loop so the compiler cannot drop its loads. */
let _touchSink = 0

export type MatchSink = (id: number, distance: number) => void

export interface PdqMihBuildOptions {
  /** Position bits stored literally in each entry (default 17); only tests change it, to force escapes. */
  lowBits?: number
  /** Bits of the block step in each entry (default 3); the largest value marks an escape. */
  stepBits?: number
}

function chunkOf(words: Uint32Array, at: number, table: number): number {
  const word = words[at + (table >>> 1)]!
  return table & 1 ? word & 0xffff : word >>> 16
}

interface EntryLayout {
  lowBits: number
  stepBits: number
  fingerprintBits: number
}
const NO_LAYOUT: EntryLayout = { lowBits: 0, stepBits: 0, fingerprintBits: 0 }

/**
 * Table t as CSR: a counting sort of positions by chunk t, each entry carrying the block step from the
 * previous entry of its bucket, the low position bits and the fingerprint (chunk t+1's top bits). A
 * step too large for its field becomes an escape entry before it. Writes the bucket offsets.
 */
function buildTable(
  words: Uint32Array,
  size: number,
  t: number,
  { lowBits, stepBits, fingerprintBits }: EntryLayout,
  offsets: Uint32Array,
): Uint32Array {
  const next = (t + 1) % TABLES
  // int32 shifts throughout (bit 31 may be set; the Uint32Array store wraps it back exactly).
  const escapeStep = (1 << stepBits) - 1
  const stepShift = 32 - stepBits
  const lowMask = (1 << lowBits) - 1
  const dropped = CHUNK_BITS - fingerprintBits
  // Per key, side by side so one cache line serves both: [2k] entry count then write cursor, [2k+1]
  // the block of the bucket's last entry so far.
  const state = new Uint32Array(2 * KEYS)
  for (let p = 0; p < size; p++) {
    const k = 2 * chunkOf(words, p * PDQ_WORDS, t)
    const block = p >>> lowBits
    state[k]! += block - state[k + 1]! >= escapeStep ? 2 : 1
    state[k + 1] = block
  }
  offsets[0] = 0
  for (let key = 0; key < KEYS; key++) {
    offsets[key + 1] = offsets[key]! + state[2 * key]!
    state[2 * key] = offsets[key]!
    state[2 * key + 1] = 0
  }
  const table = new Uint32Array(offsets[KEYS]!)
  for (let p = 0; p < size; p++) {
    const at = p * PDQ_WORDS
    const k = 2 * chunkOf(words, at, t)
    const block = p >>> lowBits
    let step = block - state[k + 1]!
    if (step >= escapeStep) {
      table[state[k]!++] = (escapeStep << stepShift) | step
      step = 0
    }
    state[k + 1] = block
    table[state[k]!++] =
      (step << stepShift) | ((p & lowMask) << fingerprintBits) | (chunkOf(words, at, next) >>> dropped)
  }
  return table
}

export class PdqMihSegment {
  /** accept[limit][x] = 1 if popcount(x) <= limit, for fingerprint xors x; filled on first use. */
  private readonly accept: Uint8Array[] = []
  /** Candidate positions of the current query, reused across queries (grows on skewed data). */
  private candidates = new Uint32Array(1 << 14)
  private readonly tableEnds = new Uint32Array(TABLES)
  /** Start and end of every bucket the current query probes, table by table. */
  private readonly bucketBounds = new Uint32Array(2 * TABLES * PROBES_PER_TABLE)

  private constructor(
    readonly size: number,
    /** 8 words per hash, ordered by chunk 0. */
    readonly words: Uint32Array,
    /** Entry id of the hash at each position. */
    readonly ids: Uint32Array,
    /** Bucket offsets of the 16 tables, 65,537 each, back to back. */
    private readonly offsets: Uint32Array,
    /** Entries of tables 1..15 (index 0 unused): `step | low position bits | fingerprint`, or escapes. */
    private readonly entries: Uint32Array[],
    private readonly layout: EntryLayout,
  ) {}

  /** Top bits of chunk t+1 kept in each entry of table t. */
  get fingerprintBits(): number {
    return this.layout.fingerprintBits
  }

  /** The accept table for a fingerprint distance limit (all ones from limit >= fingerprintBits up). */
  private acceptFor(limit: number): Uint8Array {
    let table = this.accept[limit]
    if (table === undefined) {
      table = new Uint8Array(1 << this.fingerprintBits)
      for (let x = 0; x < table.length; x++) table[x] = popcount32(x) <= limit ? 1 : 0
      this.accept[limit] = table
    }
    return table
  }

  /** Builds from parallel arrays (ids[i] owns words[8i .. 8i+7]); the inputs are not modified. */
  static build(ids: Uint32Array, words: Uint32Array, options: PdqMihBuildOptions = {}): PdqMihSegment {
    const size = ids.length
    if (words.length !== size * PDQ_WORDS) throw new RangeError('words must hold 8 words per id')
    if (size < MIN_INDEXED_SIZE)
      return new PdqMihSegment(size, words.slice(), ids.slice(), new Uint32Array(0), [], NO_LAYOUT)
    const lowBits = options.lowBits ?? LOW_BITS
    const stepBits = options.stepBits ?? STEP_BITS
    if (lowBits < 0 || stepBits < 1 || stepBits > 3 || lowBits + stepBits > 32)
      throw new RangeError('bad entry layout')
    const fingerprintBits = Math.min(CHUNK_BITS, 32 - stepBits - lowBits)
    const offsets = new Uint32Array(TABLES * (KEYS + 1))
    // Counting sort by chunk 0 (two passes over the input, one scatter).
    const cursor = new Uint32Array(KEYS + 1)
    for (let i = 0; i < size; i++) cursor[(words[i * PDQ_WORDS]! >>> 16) + 1]!++
    for (let k = 0; k < KEYS; k++) cursor[k + 1]! += cursor[k]!
    offsets.set(cursor, 0)
    const sortedWords = new Uint32Array(size * PDQ_WORDS)
    const sortedIds = new Uint32Array(size)
    for (let i = 0; i < size; i++) {
      const p = cursor[words[i * PDQ_WORDS]! >>> 16]!++
      sortedIds[p] = ids[i]!
      sortedWords.set(words.subarray(i * PDQ_WORDS, i * PDQ_WORDS + PDQ_WORDS), p * PDQ_WORDS)
    }
    const entries: Uint32Array[] = [new Uint32Array(0)]
    const layout = { lowBits, stepBits, fingerprintBits }
    for (let t = 1; t < TABLES; t++) {
      entries.push(buildTable(sortedWords, size, t, layout, offsets.subarray(t * (KEYS + 1))))
    }
    return new PdqMihSegment(size, sortedWords, sortedIds, offsets, entries, layout)
  }

  /** Bytes held by the typed arrays of this segment. */
  get byteLength(): number {
    let bytes = this.words.byteLength + this.ids.byteLength + this.offsets.byteLength
    for (const table of this.entries) bytes += table.byteLength
    return bytes
  }

  /**
   * Calls `sink` once per live hash within `radius` of `query` (8 words). `tombstones` is a bitmap over
   * positions (bit set = removed) or null. Survivors of the pair filter are verified in blocks, each
   * preceded by a "touch" pass loading one word per candidate: a candidate is a cache/TLB miss into the
   * hash array, and the short touch loop keeps many misses in flight (JS has no prefetch instruction).
   */
  query(query: Uint32Array, radius: number, tombstones: Uint32Array | null, sink: MatchSink): void {
    const probe = Math.floor(radius / TABLES)
    if (probe > MAX_PROBE_RADIUS || this.offsets.length === 0) {
      this.scan(query, radius, tombstones, sink)
      return
    }
    const bound = pairBound(radius)
    const count = this.gather(query, probe, bound)
    const { words, ids, tableEnds } = this
    const candidates = this.candidates
    const q0 = query[0]!
    const q1 = query[1]!
    const q2 = query[2]!
    const q3 = query[3]!
    let table = 0
    let touched = 0
    for (let block = 0; block < count; block += TOUCH_BLOCK) {
      const end = Math.min(count, block + TOUCH_BLOCK)
      for (let k = block; k < end; k++) touched ^= words[candidates[k]! * PDQ_WORDS]!
      for (let k = block; k < end; k++) {
        const p = candidates[k]!
        const at = p * PDQ_WORDS
        // Branch-free half distance: a random candidate (mean 64 over 128 bits) is rejected here.
        const half =
          popcount32(words[at]! ^ q0) +
          popcount32(words[at + 1]! ^ q1) +
          popcount32(words[at + 2]! ^ q2) +
          popcount32(words[at + 3]! ^ q3)
        if (half > radius) continue
        let distance = half
        for (let w = 4; w < PDQ_WORDS && distance <= radius; w++)
          distance += popcount32(words[at + w]! ^ query[w]!)
        if (distance > radius) continue
        while (k >= tableEnds[table]!) table++
        if (
          this.acceptedEarlier(at, query, table, probe, bound) ||
          (tombstones !== null && (tombstones[p >>> 5]! & (1 << (p & 31))) !== 0)
        ) {
          continue
        }
        sink(ids[p]!, distance)
      }
    }
    // Keeps the touch loads observable so the compiler cannot drop them.
    _touchSink ^= touched
  }

  /**
   * Collects the positions that pass the probe and the pair filter, table by table; returns how many.
   * Buckets are short runs (~150 entries at 10M) at random places in 40 MB tables, so all bucket bounds
   * are read first (independent misses) and each table's lines touched before it is filtered. The
   * filter writes every position and advances the cursor only on a pass, so it has no branch.
   */
  private gather(query: Uint32Array, probe: number, bound: number): number {
    const { offsets, entries, tableEnds, words, bucketBounds } = this
    // Integer shifts and masks only, so V8 keeps the decode loop in int32 (no double arithmetic). A step
    // or escape jump shifted by lowBits is a real position difference, below 2^29, so it cannot overflow.
    const { lowBits, stepBits, fingerprintBits } = this.layout
    const fingerprintMask = (1 << fingerprintBits) - 1
    const stepShift = 32 - stepBits
    const escapeStep = (1 << stepBits) - 1
    const escapeMask = 0xffffffff >>> stepBits
    const lowMask = (1 << lowBits) - 1
    const q0 = query[0]!
    let n = 0
    let total = 0
    for (let t = 0; t < TABLES; t++) {
      const key = chunkOf(query, 0, t)
      const base = t * (KEYS + 1)
      for (let weight = 0; weight <= probe; weight++) {
        const masks = PROBE_MASKS[weight]!
        for (let m = 0; m < masks.length; m++) {
          const start = offsets[base + (key ^ masks[m]!)]!
          const end = offsets[base + (key ^ masks[m]!) + 1]!
          bucketBounds[n++] = start
          bucketBounds[n++] = end
          total += end - start
        }
      }
    }
    let candidates = this.candidates
    if (total > candidates.length) {
      candidates = new Uint32Array(Math.max(total, candidates.length * 2))
      this.candidates = candidates
    }
    const perTable = n / TABLES
    let touched = 0
    let count = 0
    n = 0
    for (let t = 0; t < TABLES; t++) {
      const table = entries[t]!
      for (let j = n; j < n + perTable; j += 2) {
        const end = bucketBounds[j + 1]!
        if (t === 0) {
          for (let i = bucketBounds[j]!; i < end; i += 2) touched ^= words[i * PDQ_WORDS]!
        } else {
          for (let i = bucketBounds[j]!; i < end; i += 16) touched ^= table[i]!
        }
      }
      const queryFingerprint = chunkOf(query, 0, (t + 1) % TABLES) >>> (CHUNK_BITS - fingerprintBits)
      for (let weight = 0; weight <= probe; weight++) {
        // Largest next-chunk (or fingerprint) distance an entry in a bucket at this weight may have.
        const limit = bound - weight
        const accepts = this.acceptFor(limit)
        for (let m = PROBE_MASKS[weight]!.length; m > 0; m--) {
          const start = bucketBounds[n++]!
          const end = bucketBounds[n++]!
          if (t === 0) {
            // Chunk 1 is the low half of word 0, next to the key: filter on the whole chunk in place.
            for (let i = start; i < end; i++) {
              candidates[count] = i
              count += popcount32((words[i * PDQ_WORDS]! ^ q0) & 0xffff) <= limit ? 1 : 0
            }
          } else {
            // Positions ascend within a bucket: each entry adds its step (in blocks) to the base.
            let base = 0
            for (let i = start; i < end; i++) {
              const entry = table[i]!
              const step = entry >>> stepShift
              if (step === escapeStep) {
                base += (entry & escapeMask) << lowBits
                continue
              }
              base += step << lowBits
              candidates[count] = base + ((entry >>> fingerprintBits) & lowMask)
              count += accepts[(entry ^ queryFingerprint) & fingerprintMask]!
            }
          }
        }
      }
      tableEnds[t] = count
    }
    _touchSink ^= touched
    return count
  }

  /**
   * Whether a table before `table` accepts the hash at word offset `at` — by exactly the rule `gather`
   * applies there (probe radius, then the pair filter on chunk 1 for table 0 and on the fingerprint
   * bits for the others) — so each hash within the radius is reported by exactly one table.
   */
  private acceptedEarlier(at: number, query: Uint32Array, table: number, probe: number, bound: number) {
    const { words, fingerprintBits } = this
    for (let s = 0; s < table; s++) {
      const distance = popcount32(chunkOf(words, at, s) ^ chunkOf(query, 0, s))
      if (distance > probe) continue
      // s < table <= 15, so s + 1 needs no wrap-around.
      const next = chunkOf(words, at, s + 1) ^ chunkOf(query, 0, s + 1)
      const nextDistance = popcount32(s === 0 ? next : next >>> (CHUNK_BITS - fingerprintBits))
      if (distance + nextDistance <= bound) return true
    }
    return false
  }

  /** Plain scan for radii too large for the multi-index to help. */
  scan(query: Uint32Array, radius: number, tombstones: Uint32Array | null, sink: MatchSink): void {
    const { words, ids, size } = this
    for (let p = 0; p < size; p++) {
      const at = p * PDQ_WORDS
      let distance = 0
      for (let w = 0; w < PDQ_WORDS && distance <= radius; w++)
        distance += popcount32(words[at + w]! ^ query[w]!)
      if (distance <= radius && (tombstones === null || (tombstones[p >>> 5]! & (1 << (p & 31))) === 0)) {
        sink(ids[p]!, distance)
      }
    }
  }
}
