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
 * (indices mod 16), where b = pairBound(r) (3 at r = 31, see there). So table t only needs the entries
 * whose next chunk is within b - d_t of the query's. Each table entry carries the top bits of chunk t+1
 * (a fingerprint; the distance on a subset of bits never exceeds the distance on the chunk), and most
 * random candidates are dropped while the table is scanned, before any miss into the hash array.
 *
 * Layout (docs/decisions/0003-pdq-index.md has the memory math):
 * - `words` holds the hashes re-ordered by chunk 0, so table 0 needs only its bucket offsets: a bucket
 *   is a contiguous run of hashes (the "free" table), and its pair filter reads chunk 1 in place.
 * - tables 1..15 are CSR: `offsets[t]` (65,537 uint32) and one uint32 per hash, sorted by key and
 *   ascending position within a key for locality. Each uint32 is `position << f | fingerprint`: the
 *   position takes as many bits as the segment size needs and the fingerprint the rest, up to
 *   MAX_FINGERPRINT_BITS (8 bits at 10M hashes, 7 above 2^24, 12 at 1M), so memory does not depend on
 *   the filter and the filter weakens gracefully with size (no fingerprint bits at all is still exact).
 * - duplicates across tables are dropped without a "seen" set: a candidate found in table t is reported
 *   only if no earlier table s < t would also have accepted it (probe radius and pair filter). That is
 *   computed only for candidates within the radius, so it is free.
 */
import { PDQ_WORDS, popcount32 } from './pdq-hash.js'

const TABLES = 16
const CHUNK_BITS = 16
const KEYS = 1 << CHUNK_BITS
/** Beyond this per-chunk probe radius (r >= 48) the ball of keys outgrows a plain scan. */
const MAX_PROBE_RADIUS = 2
/** Fingerprint bits beyond this buy little: the survivors at 12 bits are a few per bucket. */
const MAX_FINGERPRINT_BITS = 12
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

/**
 * The smallest b such that every cyclic vector of `chunks` chunk distances (each 0..chunkBits) with sum
 * <= radius has a chunk t with d_t <= p and d_t + d_{(t+1) mod chunks} <= b, where p =
 * floor(radius / chunks). b = p + chunkBits always qualifies (some d_t <= p by pigeonhole), so the
 * search ends.
 *
 * b qualifies iff every "violating" vector (one where each chunk with d_t <= p has d_t + d_{t+1} >= b+1)
 * sums to more than radius; the minimum violating sum is a min-plus walk around the cycle, computed
 * exactly below. Hand check at r = 31 (p = 1, b = 3): in a violating vector the small chunks (d <= 1)
 * each have a successor that is not small (1 + 1 < 4), so the pairs (t, t+1) over small t are disjoint
 * and each sums >= 4, and the other 16 - 2|S| chunks are >= 2: sum >= 4|S| + 2(16 - 2|S|) = 32 > 31.
 * b = 2 fails: 1,2,1,2,... sums to 24. Tests compare this with brute force on short cycles.
 */
export function pairBound(radius: number, chunks = TABLES, chunkBits = CHUNK_BITS): number {
  const probe = Math.floor(radius / chunks)
  for (let bound = 0; ; bound++) {
    if (bound >= probe + chunkBits || minViolatingSum(probe, bound, chunks, chunkBits) > radius) return bound
  }
}

function minViolatingSum(probe: number, bound: number, chunks: number, chunkBits: number): number {
  const allowed = (from: number, to: number): boolean => from > probe || from + to > bound
  let best = Number.POSITIVE_INFINITY
  for (let first = 0; first <= chunkBits; first++) {
    // cost[v]: least sum of d_0..d_i with d_0 = first and d_i = v, every step so far allowed.
    let cost = Array.from({ length: chunkBits + 1 }, (_, v) =>
      v === first ? first : Number.POSITIVE_INFINITY,
    )
    for (let i = 1; i < chunks; i++) {
      const next = new Array<number>(chunkBits + 1).fill(Number.POSITIVE_INFINITY)
      for (let from = 0; from <= chunkBits; from++) {
        if (cost[from] === Number.POSITIVE_INFINITY) continue
        for (let to = 0; to <= chunkBits; to++) {
          if (allowed(from, to)) next[to] = Math.min(next[to]!, cost[from]! + to)
        }
      }
      cost = next
    }
    for (let last = 0; last <= chunkBits; last++) {
      if (allowed(last, first)) best = Math.min(best, cost[last]!)
    }
  }
  return best
}

const PAIR_BOUNDS: number[] = []
function cachedPairBound(radius: number): number {
  const known = PAIR_BOUNDS[radius]
  if (known !== undefined) return known
  const bound = pairBound(radius)
  PAIR_BOUNDS[radius] = bound
  return bound
}

/** Written by the touch loop so the compiler cannot drop its loads. */
let _touchSink = 0

export type MatchSink = (id: number, distance: number) => void

export interface PdqMihBuildOptions {
  /**
   * Minimum bits reserved for positions in table entries (the rest, up to 12, hold the fingerprint).
   * Only tests set it, to exercise the narrow fingerprints of segments above 2^24 hashes cheaply.
   */
  minPositionBits?: number
}

function chunkOf(words: Uint32Array, at: number, table: number): number {
  const word = words[at + (table >>> 1)]!
  return table & 1 ? word & 0xffff : word >>> 16
}

export class PdqMihSegment {
  /** accept[limit][x] = 1 if popcount(x) <= limit, for fingerprint xors x (limit < fingerprintBits). */
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
    /** Entries `position << fingerprintBits | fingerprint` of tables 1..15 (index 0 unused). */
    private readonly entries: Uint32Array[],
    /** Top bits of chunk t+1 kept in each entry of table t (0..12). */
    readonly fingerprintBits: number,
  ) {
    for (let limit = 0; limit < fingerprintBits; limit++) {
      const table = new Uint8Array(1 << fingerprintBits)
      for (let x = 0; x < table.length; x++) table[x] = popcount32(x) <= limit ? 1 : 0
      this.accept.push(table)
    }
  }

  /** Builds from parallel arrays (ids[i] owns words[8i .. 8i+7]); the inputs are not modified. */
  static build(ids: Uint32Array, words: Uint32Array, options: PdqMihBuildOptions = {}): PdqMihSegment {
    const size = ids.length
    if (words.length !== size * PDQ_WORDS) throw new RangeError('words must hold 8 words per id')
    if (size < MIN_INDEXED_SIZE)
      return new PdqMihSegment(size, words.slice(), ids.slice(), new Uint32Array(0), [], 0)
    const positionBits = Math.max(options.minPositionBits ?? 0, 32 - Math.clz32(size - 1))
    if (positionBits > 32) throw new RangeError('minPositionBits must be <= 32')
    const fingerprintBits = Math.min(MAX_FINGERPRINT_BITS, 32 - positionBits)
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
    const dropped = CHUNK_BITS - fingerprintBits
    for (let t = 1; t < TABLES; t++) {
      const next = (t + 1) % TABLES
      cursor.fill(0)
      for (let p = 0; p < size; p++) cursor[chunkOf(sortedWords, p * PDQ_WORDS, t) + 1]!++
      for (let k = 0; k < KEYS; k++) cursor[k + 1]! += cursor[k]!
      offsets.set(cursor, t * (KEYS + 1))
      const table = new Uint32Array(size)
      for (let p = 0; p < size; p++) {
        const at = p * PDQ_WORDS
        // The shift may set bit 31 (a negative int32); the Uint32Array store wraps it back exactly.
        table[cursor[chunkOf(sortedWords, at, t)]!++] =
          (p << fingerprintBits) | (chunkOf(sortedWords, at, next) >>> dropped)
      }
      entries.push(table)
    }
    return new PdqMihSegment(size, sortedWords, sortedIds, offsets, entries, fingerprintBits)
  }

  /** Bytes held by the typed arrays of this segment. */
  get byteLength(): number {
    let bytes = this.words.byteLength + this.ids.byteLength + this.offsets.byteLength
    for (const table of this.entries) bytes += table.byteLength
    return bytes
  }

  /**
   * Calls `sink` once per live hash within `radius` of `query` (8 words). `tombstones` is a bitmap over
   * positions (bit set = removed) or null.
   *
   * Candidates that pass the pair filter are gathered first and then verified in blocks, each block
   * preceded by a "touch" pass that loads one word per candidate. Verification is bound by cache misses
   * into the hash array (a candidate costs ~120-200 ns when verified straight away); the touch loop is
   * short enough that the CPU keeps many misses in flight. JS has no prefetch instruction; this is the
   * portable equivalent.
   */
  query(query: Uint32Array, radius: number, tombstones: Uint32Array | null, sink: MatchSink): void {
    const probe = Math.floor(radius / TABLES)
    if (probe > MAX_PROBE_RADIUS || this.offsets.length === 0) {
      this.scan(query, radius, tombstones, sink)
      return
    }
    const bound = cachedPairBound(radius)
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
   *
   * Memory-level parallelism again decides the speed: a bucket is a short run (~150 entries at 10M)
   * at a random place in a 40 MB table, so filtering it straight away waits on one miss per cache line.
   * Instead all bucket bounds are read first (independent loads into the offsets), then each table's
   * lines are touched before it is filtered. The filter writes every position and advances the cursor
   * only on a pass, so it has no branch.
   */
  private gather(query: Uint32Array, probe: number, bound: number): number {
    const { offsets, entries, tableEnds, words, fingerprintBits, accept, bucketBounds } = this
    const fingerprintMask = (1 << fingerprintBits) - 1
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
        const accepts = accept[limit]
        for (let m = PROBE_MASKS[weight]!.length; m > 0; m--) {
          const start = bucketBounds[n++]!
          const end = bucketBounds[n++]!
          if (t === 0) {
            // Chunk 1 is the low half of word 0, next to the key: filter on the whole chunk in place.
            for (let i = start; i < end; i++) {
              candidates[count] = i
              count += popcount32((words[i * PDQ_WORDS]! ^ q0) & 0xffff) <= limit ? 1 : 0
            }
          } else if (accepts === undefined) {
            // limit >= fingerprintBits: every fingerprint passes.
            for (let i = start; i < end; i++) candidates[count++] = table[i]! >>> fingerprintBits
          } else {
            for (let i = start; i < end; i++) {
              const entry = table[i]!
              candidates[count] = entry >>> fingerprintBits
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
  private acceptedEarlier(
    at: number,
    query: Uint32Array,
    table: number,
    probe: number,
    bound: number,
  ): boolean {
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
