/**
 * The in-memory PDQ index the matcher keeps per hash set: a large immutable multi-index segment
 * (pdq-mih.ts) plus a small linear delta for recent additions and a tombstone bitmap for removals, so
 * `add` and `remove` never rebuild the segment. When the delta or the tombstones grow past a limit the
 * two are merged into a new segment (`compact`), which a caller may also run on its own schedule.
 *
 * Ids are caller-chosen uint32 (e.g. a hash-set entry key). An id may be added more than once; each
 * add is a separate entry, `remove(id)` removes them all, and query results report each id once with
 * its smallest distance.
 */
import { hexToWords, PDQ_MATCH_RADIUS, PDQ_WORDS, popcount32 } from './pdq-hash.js'
import { PdqMihSegment } from './pdq-mih.js'

export interface PdqMatch {
  id: number
  distance: number
}

/** 64 hex digits, or 8 big-endian-ordered uint32 words as produced by `hexToWords`. */
export type PdqHashInput = string | Uint32Array

export interface PdqIndexOptions {
  /** Entries held in the linear delta before a merge; also the tombstone count that triggers one. */
  deltaLimit?: number
}

const DEFAULT_DELTA_LIMIT = 16_384

function toWords(hash: PdqHashInput): Uint32Array {
  if (typeof hash === 'string') return hexToWords(hash)
  if (hash.length !== PDQ_WORDS) throw new RangeError('a PDQ hash is 8 uint32 words')
  return hash
}

export class PdqIndex {
  private segment: PdqMihSegment
  private tombstones: Uint32Array
  private tombstoneCount = 0
  private deltaIds: Uint32Array
  private deltaWords: Uint32Array
  private deltaCount = 0
  private readonly deltaLimit: number

  private constructor(segment: PdqMihSegment, options: PdqIndexOptions) {
    this.segment = segment
    this.deltaLimit = Math.max(1, options.deltaLimit ?? DEFAULT_DELTA_LIMIT)
    this.tombstones = new Uint32Array(Math.ceil(segment.size / 32))
    this.deltaIds = new Uint32Array(Math.min(this.deltaLimit, 1024))
    this.deltaWords = new Uint32Array(this.deltaIds.length * PDQ_WORDS)
  }

  /** Bulk build: `hashes` is either one hex string per id or 8 packed words per id. */
  static build(
    ids: Uint32Array | readonly number[],
    hashes: Uint32Array | readonly string[],
    options: PdqIndexOptions = {},
  ): PdqIndex {
    if (
      !(ids instanceof Uint32Array) &&
      ids.some((id) => !Number.isInteger(id) || id < 0 || id > 0xffffffff)
    ) {
      throw new RangeError('ids must be uint32')
    }
    const idArray = ids instanceof Uint32Array ? ids : Uint32Array.from(ids)
    let words: Uint32Array
    if (hashes instanceof Uint32Array) {
      words = hashes
    } else {
      words = new Uint32Array(hashes.length * PDQ_WORDS)
      for (let i = 0; i < hashes.length; i++) hexToWords(hashes[i]!, words, i * PDQ_WORDS)
    }
    return new PdqIndex(PdqMihSegment.build(idArray, words), options)
  }

  static empty(options: PdqIndexOptions = {}): PdqIndex {
    return PdqIndex.build(new Uint32Array(0), new Uint32Array(0), options)
  }

  /** Live entries (segment minus tombstones, plus delta). */
  get size(): number {
    return this.segment.size - this.tombstoneCount + this.deltaCount
  }

  /** Bytes held in typed arrays: hashes, ids, tables, delta and tombstones. */
  get byteLength(): number {
    return (
      this.segment.byteLength +
      this.tombstones.byteLength +
      this.deltaIds.byteLength +
      this.deltaWords.byteLength
    )
  }

  add(id: number, hash: PdqHashInput): void {
    if (!Number.isInteger(id) || id < 0 || id > 0xffffffff)
      throw new RangeError(`id must be a uint32, got ${id}`)
    const words = toWords(hash)
    if (this.deltaCount === this.deltaIds.length) {
      const ids = new Uint32Array(this.deltaIds.length * 2)
      ids.set(this.deltaIds)
      const grown = new Uint32Array(ids.length * PDQ_WORDS)
      grown.set(this.deltaWords)
      this.deltaIds = ids
      this.deltaWords = grown
    }
    this.deltaIds[this.deltaCount] = id
    this.deltaWords.set(words, this.deltaCount * PDQ_WORDS)
    this.deltaCount++
    if (this.deltaCount >= this.deltaLimit) this.compact()
  }

  /**
   * Removes every entry with this id; returns how many. Finding an id in the segment is a native
   * `indexOf` over the id array (a few ms at 10M) rather than a 40 MB id-to-position map.
   */
  remove(id: number): number {
    let removed = 0
    const ids = this.segment.ids
    for (let p = ids.indexOf(id); p !== -1; p = ids.indexOf(id, p + 1)) {
      const bit = 1 << (p & 31)
      if ((this.tombstones[p >>> 5]! & bit) === 0) {
        this.tombstones[p >>> 5]! |= bit
        this.tombstoneCount++
        removed++
      }
    }
    for (let i = 0; i < this.deltaCount; ) {
      if (this.deltaIds[i] === id) {
        // Swap-remove: the delta is unordered.
        const last = --this.deltaCount
        this.deltaIds[i] = this.deltaIds[last]!
        this.deltaWords.copyWithin(i * PDQ_WORDS, last * PDQ_WORDS, last * PDQ_WORDS + PDQ_WORDS)
        removed++
      } else {
        i++
      }
    }
    if (this.tombstoneCount >= Math.max(this.deltaLimit, this.segment.size >>> 4)) this.compact()
    return removed
  }

  /** Merges the delta into a new segment and drops tombstoned entries (a full segment build). */
  compact(): void {
    const old = this.segment
    const live = old.size - this.tombstoneCount + this.deltaCount
    const ids = new Uint32Array(live)
    const words = new Uint32Array(live * PDQ_WORDS)
    let n = 0
    for (let p = 0; p < old.size; p++) {
      if ((this.tombstones[p >>> 5]! & (1 << (p & 31))) !== 0) continue
      ids[n] = old.ids[p]!
      words.set(old.words.subarray(p * PDQ_WORDS, p * PDQ_WORDS + PDQ_WORDS), n * PDQ_WORDS)
      n++
    }
    ids.set(this.deltaIds.subarray(0, this.deltaCount), n)
    words.set(this.deltaWords.subarray(0, this.deltaCount * PDQ_WORDS), n * PDQ_WORDS)
    this.segment = PdqMihSegment.build(ids, words)
    this.tombstones = new Uint32Array(Math.ceil(live / 32))
    this.tombstoneCount = 0
    this.deltaCount = 0
  }

  /** Every entry within `radius` (default 31) of `hash`, one result per id with its smallest distance. */
  query(hash: PdqHashInput, radius = PDQ_MATCH_RADIUS): PdqMatch[] {
    return this.queryMany([toWords(hash)], radius)
  }

  /**
   * Rotation/flip-tolerant lookup: `hashes` are the 8 dihedral variants of one image (pdq.md §1.11);
   * per id the minimum distance over the variants. Any number of hashes is accepted.
   */
  queryDihedral(hashes: readonly PdqHashInput[], radius = PDQ_MATCH_RADIUS): PdqMatch[] {
    return this.queryMany(hashes.map(toWords), radius)
  }

  private queryMany(queries: readonly Uint32Array[], radius: number): PdqMatch[] {
    if (!Number.isInteger(radius) || radius < 0 || radius > 256) throw new RangeError('radius must be 0..256')
    const best = new Map<number, number>()
    const sink = (id: number, distance: number): void => {
      const previous = best.get(id)
      if (previous === undefined || distance < previous) best.set(id, distance)
    }
    const tombstones = this.tombstoneCount > 0 ? this.tombstones : null
    for (const query of queries) {
      this.segment.query(query, radius, tombstones, sink)
      this.scanDelta(query, radius, sink)
    }
    const matches: PdqMatch[] = []
    for (const [id, distance] of best) matches.push({ id, distance })
    return matches
  }

  private scanDelta(query: Uint32Array, radius: number, sink: (id: number, distance: number) => void): void {
    const words = this.deltaWords
    for (let i = 0; i < this.deltaCount; i++) {
      const at = i * PDQ_WORDS
      let distance = 0
      for (let w = 0; w < PDQ_WORDS && distance <= radius; w++)
        distance += popcount32(words[at + w]! ^ query[w]!)
      if (distance <= radius) sink(this.deltaIds[i]!, distance)
    }
  }
}
