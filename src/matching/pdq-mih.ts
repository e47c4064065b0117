/**
 * An immutable multi-index-hashing (MIH) segment over packed PDQ hashes (Norouzi et al.; the same
 * 16 x 16-bit split as the C++ reference and FAISS IndexBinaryMultiHash), laid out in flat typed arrays
 * instead of the reference's std::map/std::set.
 *
 * Pigeonhole: cut the 256 bits into 16 chunks of 16 bits. If two hashes differ in at most r bits, some
 * chunk differs in at most floor(r / 16) bits, so probing every table with all keys within that many
 * bits of the query's chunk finds every match (at r = 31: 16 tables x 17 keys).
 *
 * Layout (docs/decisions/0003-pdq-index.md has the memory math):
 * - `words` holds the hashes re-ordered by chunk 0, so table 0 needs only its bucket offsets: a bucket
 *   is a contiguous run of hashes (the "free" table).
 * - tables 1..15 are CSR: `offsets[t]` (65,537 uint32) and `positions[t]` (one uint32 per hash, sorted
 *   by key, ascending position within a key for locality).
 * - duplicates across tables are dropped without a "seen" set: a candidate found in table t is reported
 *   only if no earlier table s < t would also have found it (its chunk s is not within the probe
 *   radius). That costs nothing extra because verification computes the chunk distances anyway.
 */
import { PDQ_WORDS, popcount32 } from './pdq-hash.js'

const TABLES = 16
const KEYS = 1 << 16
/** Beyond this per-chunk probe radius (r >= 48) the ball of keys outgrows a plain scan. */
const MAX_PROBE_RADIUS = 2
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

/** Written by the touch loop so the compiler cannot drop its loads. */
let _touchSink = 0

export type MatchSink = (id: number, distance: number) => void

function chunkOf(words: Uint32Array, at: number, table: number): number {
  const word = words[at + (table >>> 1)]!
  return table & 1 ? word & 0xffff : word >>> 16
}

export class PdqMihSegment {
  private constructor(
    readonly size: number,
    /** 8 words per hash, ordered by chunk 0. */
    readonly words: Uint32Array,
    /** Entry id of the hash at each position. */
    readonly ids: Uint32Array,
    /** Bucket offsets of the 16 tables, 65,537 each, back to back. */
    private readonly offsets: Uint32Array,
    /** Positions for tables 1..15 (index 0 is unused: table 0 is the order of `words`). */
    private readonly positions: Uint32Array[],
  ) {}

  /** Builds from parallel arrays (ids[i] owns words[8i .. 8i+7]); the inputs are not modified. */
  static build(ids: Uint32Array, words: Uint32Array): PdqMihSegment {
    const size = ids.length
    if (words.length !== size * PDQ_WORDS) throw new RangeError('words must hold 8 words per id')
    if (size < MIN_INDEXED_SIZE)
      return new PdqMihSegment(size, words.slice(), ids.slice(), new Uint32Array(0), [])
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
    const positions: Uint32Array[] = [new Uint32Array(0)]
    for (let t = 1; t < TABLES; t++) {
      cursor.fill(0)
      for (let p = 0; p < size; p++) cursor[chunkOf(sortedWords, p * PDQ_WORDS, t) + 1]!++
      for (let k = 0; k < KEYS; k++) cursor[k + 1]! += cursor[k]!
      offsets.set(cursor, t * (KEYS + 1))
      const table = new Uint32Array(size)
      for (let p = 0; p < size; p++) table[cursor[chunkOf(sortedWords, p * PDQ_WORDS, t)]!++] = p
      positions.push(table)
    }
    return new PdqMihSegment(size, sortedWords, sortedIds, offsets, positions)
  }

  /** Bytes held by the typed arrays of this segment. */
  get byteLength(): number {
    let bytes = this.words.byteLength + this.ids.byteLength + this.offsets.byteLength
    for (const table of this.positions) bytes += table.byteLength
    return bytes
  }

  /** Candidate positions of the current query, reused across queries (grows on skewed data). */
  private candidates = new Uint32Array(1 << 16)
  private readonly tableEnds = new Uint32Array(TABLES)

  /**
   * Calls `sink` once per live hash within `radius` of `query` (8 words). `tombstones` is a bitmap over
   * positions (bit set = removed) or null.
   *
   * Candidates are gathered first and then verified in blocks, each block preceded by a "touch" pass
   * that loads one word per candidate. Verification is bound by cache misses into the hash array (a
   * candidate costs ~120-200 ns when verified straight away); the touch loop is short enough that the
   * CPU keeps many misses in flight, which measured 2-4x faster at 1M-10M hashes. JS has no prefetch
   * instruction; this is the portable equivalent.
   */
  query(query: Uint32Array, radius: number, tombstones: Uint32Array | null, sink: MatchSink): void {
    const probe = Math.floor(radius / TABLES)
    if (probe > MAX_PROBE_RADIUS || this.offsets.length === 0) {
      this.scan(query, radius, tombstones, sink)
      return
    }
    const count = this.gather(query, probe)
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
        while (k >= tableEnds[table]!) table++
        const distance = this.verify(p, query, radius, table, probe)
        if (distance >= 0 && (tombstones === null || (tombstones[p >>> 5]! & (1 << (p & 31))) === 0)) {
          sink(ids[p]!, distance)
        }
      }
    }
    // Keeps the touch loads observable so the compiler cannot drop them.
    _touchSink ^= touched
  }

  /** Collects the positions in every probed bucket, table by table; returns how many. */
  private gather(query: Uint32Array, probe: number): number {
    const { offsets, positions, tableEnds } = this
    let candidates = this.candidates
    let count = 0
    for (let t = 0; t < TABLES; t++) {
      const key = chunkOf(query, 0, t)
      const base = t * (KEYS + 1)
      const table = positions[t]!
      for (let weight = 0; weight <= probe; weight++) {
        const masks = PROBE_MASKS[weight]!
        for (let m = 0; m < masks.length; m++) {
          const probeKey = key ^ masks[m]!
          const start = offsets[base + probeKey]!
          const end = offsets[base + probeKey + 1]!
          if (count + end - start > candidates.length) {
            const grown = new Uint32Array(Math.max(candidates.length * 2, count + end - start))
            grown.set(candidates.subarray(0, count))
            candidates = grown
            this.candidates = grown
          }
          if (t === 0) {
            for (let i = start; i < end; i++) candidates[count++] = i
          } else {
            candidates.set(table.subarray(start, end), count)
            count += end - start
          }
        }
      }
      tableEnds[t] = count
    }
    return count
  }

  /**
   * Distance of the hash at position p if it is within `radius` and no table before `table` also finds
   * it; otherwise -1. Exits as soon as the running distance passes the radius (random candidates do so
   * after about three words).
   */
  private verify(p: number, query: Uint32Array, radius: number, table: number, probe: number): number {
    const words = this.words
    const at = p * PDQ_WORDS
    let distance = 0
    for (let w = 0; w < PDQ_WORDS; w++) {
      const x = words[at + w]! ^ query[w]!
      if (2 * w < table) {
        const high = popcount32(x >>> 16)
        if (high <= probe) return -1
        const low = popcount32(x & 0xffff)
        if (2 * w + 1 < table && low <= probe) return -1
        distance += high + low
      } else {
        distance += popcount32(x)
      }
      if (distance > radius) return -1
    }
    return distance
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
