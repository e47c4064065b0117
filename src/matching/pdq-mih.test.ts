import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { randomWords } from '../../test/pdq-words.js'
import { PDQ_WORDS } from './pdq-hash.js'
import type { PdqMatch } from './pdq-index.js'
import { linearScan } from './pdq-linear.js'
import { PdqMihSegment } from './pdq-mih.js'
import { pairBound } from './pdq-pair-bound.js'

const sorted = (matches: PdqMatch[]): PdqMatch[] =>
  [...matches].sort((a, b) => a.id - b.id || a.distance - b.distance)

/** The pair bound by definition: the worst vector's best qualifying pair, over every vector. */
function bruteForcePairBound(radius: number, chunks: number, chunkBits: number): number {
  const probe = Math.floor(radius / chunks)
  const d = new Array<number>(chunks).fill(0)
  let worst = 0
  const visit = (i: number, sum: number): void => {
    if (sum > radius) return
    if (i === chunks) {
      let best = Number.POSITIVE_INFINITY
      for (let t = 0; t < chunks; t++) {
        if (d[t]! <= probe) best = Math.min(best, d[t]! + d[(t + 1) % chunks]!)
      }
      worst = Math.max(worst, best)
      return
    }
    for (let v = 0; v <= chunkBits; v++) {
      d[i] = v
      visit(i + 1, sum + v)
    }
  }
  visit(0, 0)
  return worst
}

/**
 * The same bound by an exact search that scales to 16 chunks: b works iff every "violating" cyclic
 * vector (each chunk with d_t <= p has d_t + d_{t+1} > b) sums to more than the radius, and the least
 * violating sum is a min-plus walk around the cycle.
 */
function exactPairBound(radius: number, chunks: number, chunkBits: number): number {
  const probe = Math.floor(radius / chunks)
  const allowed = (from: number, to: number, bound: number): boolean => from > probe || from + to > bound
  for (let bound = 0; bound < probe + chunkBits; bound++) {
    let least = Number.POSITIVE_INFINITY
    for (let first = 0; first <= chunkBits; first++) {
      // cost[v]: least sum of d_0..d_i with d_0 = first and d_i = v, every step so far allowed.
      let cost = new Float64Array(chunkBits + 1).fill(Number.POSITIVE_INFINITY)
      cost[first] = first
      for (let i = 1; i < chunks; i++) {
        const next = new Float64Array(chunkBits + 1).fill(Number.POSITIVE_INFINITY)
        for (let from = 0; from <= chunkBits; from++) {
          for (let to = 0; to <= chunkBits; to++) {
            if (allowed(from, to, bound)) next[to] = Math.min(next[to]!, cost[from]! + to)
          }
        }
        cost = next
      }
      for (let last = 0; last <= chunkBits; last++) {
        if (allowed(last, first, bound)) least = Math.min(least, cost[last]!)
      }
    }
    if (least > radius) return bound
  }
  // Some chunk is within the probe radius (pigeonhole) and its successor within chunkBits.
  return probe + chunkBits
}

/** Some chunk t is within the probe radius and its pair (t, t+1) within the bound. */
function hasQualifyingPair(distances: readonly number[], radius: number): boolean {
  const probe = Math.floor(radius / 16)
  const bound = pairBound(radius)
  return distances.some((d, t) => d <= probe && d + distances[(t + 1) % 16]! <= bound)
}

describe('pairBound', () => {
  it('the exact search equals brute force on every short cycle small enough to enumerate', () => {
    for (const [chunks, chunkBits] of [
      [4, 6],
      [5, 4],
      [6, 3],
      [7, 2],
    ] as const) {
      for (let radius = 0; radius < chunks * chunkBits; radius++) {
        expect(
          exactPairBound(radius, chunks, chunkBits),
          `${chunks} x ${chunkBits} bits, r = ${radius}`,
        ).toBe(bruteForcePairBound(radius, chunks, chunkBits))
      }
    }
  })

  it('is floor(r / 8) by the exact search at 16 chunks of 16 bits, radii 0..63', () => {
    for (let radius = 0; radius < 64; radius++) expect(pairBound(radius)).toBe(exactPairBound(radius, 16, 16))
  })

  it('is 3 at radius 31, and 2 would miss 1,2,1,2,... (sum 24)', () => {
    expect(pairBound(31)).toBe(3)
    const alternating = Array.from({ length: 16 }, (_, t) => 1 + (t & 1))
    expect(alternating.some((d, t) => d <= 1 && d + alternating[(t + 1) % 16]! <= 2)).toBe(false)
    // Tight cases at 31: the only chunk within the probe radius is followed by a 2, or alternating 1,3.
    for (let one = 0; one < 16; one++) {
      expect(
        hasQualifyingPair(
          Array.from({ length: 16 }, (_, t) => (t === one ? 1 : 2)),
          31,
        ),
      ).toBe(true)
    }
    expect(hasQualifyingPair([1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 3, 1, 2], 31)).toBe(true)
  })

  it('holds for any flipped bits spread over the 16 chunks, radii 0..47', () => {
    const spread = fc.integer({ min: 0, max: 47 }).chain((radius) =>
      fc.record({
        radius: fc.constant(radius),
        // Chunk index of each flipped bit, biased to few chunks so tight vectors show up.
        chunks: fc.array(fc.oneof(fc.integer({ min: 0, max: 15 }), fc.integer({ min: 0, max: 3 })), {
          maxLength: radius,
        }),
      }),
    )
    fc.assert(
      fc.property(spread, ({ radius, chunks }) => {
        const distances = new Array<number>(16).fill(0)
        for (const chunk of chunks) distances[chunk] = Math.min(16, distances[chunk]! + 1)
        expect(hasQualifyingPair(distances, radius)).toBe(true)
      }),
      { numRuns: 2000 },
    )
  })
})

/** The 256-bit index of bit `i` of chunk `chunk` (chunk 0 is the top half of word 0). */
const chunkBit = (chunk: number, i: number): number => (chunk >>> 1) * 32 + (chunk & 1 ? 0 : 16) + i

describe('PdqMihSegment pair filter, every entry layout', () => {
  const size = 20_000
  const words = randomWords(size, 31337)
  const ids = Uint32Array.from({ length: size }, (_, i) => i + 1)
  // The default layout (17 low position bits, 3-bit steps, 12-bit fingerprints), narrower fingerprints
  // down to none, and layouts whose tiny blocks force literal steps (12 low bits: 5 blocks here) and
  // escapes (4 or 0 low bits, 1- or 2-bit steps), which 20k hashes would never need otherwise.
  const layouts = [
    { lowBits: 17, stepBits: 3 },
    { lowBits: 21, stepBits: 3 },
    { lowBits: 25, stepBits: 3 },
    { lowBits: 29, stepBits: 3 },
    { lowBits: 12, stepBits: 3 },
    { lowBits: 12, stepBits: 2 },
    { lowBits: 4, stepBits: 1 },
    { lowBits: 0, stepBits: 2 },
  ]
  const segments = layouts.map((layout) => PdqMihSegment.build(ids, words, layout))

  /** Flips `count` bits of each chunk, from bit `offset` upward (wrapping within the chunk). */
  function plantQuery(target: number, counts: readonly number[], offset: number): Uint32Array {
    const query = words.slice(target * PDQ_WORDS, target * PDQ_WORDS + PDQ_WORDS)
    counts.forEach((count, chunk) => {
      for (let i = 0; i < Math.min(16, count); i++) {
        const bit = chunkBit(chunk, (offset + i) & 15)
        query[bit >>> 5]! ^= 1 << (bit & 31)
      }
    })
    return query
  }

  const plant = fc.record({
    target: fc.nat(size - 1),
    // The chunk of each flipped bit, often crowded into a few chunks so tight vectors show up.
    chunks: fc.array(fc.oneof(fc.nat(15), fc.nat(3), fc.constantFrom(0, 5, 6, 15)), { maxLength: 40 }),
    // Low offsets flip bits that narrow fingerprints do not keep, high offsets bits that they do.
    offset: fc.nat(15),
    // Radius relative to the planted distance (mostly at the edge), or anywhere in 0..40.
    radius: fc.oneof(fc.integer({ min: -2, max: 2 }), fc.constant(null)),
    anyRadius: fc.nat(40),
  })

  it('reports each hash within the radius exactly once, as brute force does', () => {
    fc.assert(
      fc.property(plant, ({ target, chunks, offset, radius: shift, anyRadius }) => {
        const counts = new Array<number>(16).fill(0)
        for (const chunk of chunks) counts[chunk]!++
        const query = plantQuery(target, counts, offset)
        const planted = counts.reduce((sum, count) => sum + Math.min(16, count), 0)
        const radius = shift === null ? anyRadius : Math.max(0, Math.min(40, planted + shift))
        const expected = sorted(linearScan(ids, words, query, radius))
        for (const segment of segments) {
          const reported: PdqMatch[] = []
          segment.query(query, radius, null, (id, distance) => reported.push({ id, distance }))
          expect(sorted(reported)).toEqual(expected)
        }
      }),
      { numRuns: 500 },
    )
  })

  it('finds every tight planted neighbour at radius 31 (one chunk at 1, the rest at 2)', () => {
    for (let one = 0; one < 16; one++) {
      // The top bits, which every fingerprint keeps, so the filter sees the full distance.
      const counts = Array.from({ length: 16 }, (_, chunk) => (chunk === one ? 1 : 2))
      const query = plantQuery(one, counts, 14)
      for (const segment of segments) {
        const reported: PdqMatch[] = []
        segment.query(query, 31, null, (id, distance) => reported.push({ id, distance }))
        expect(reported).toContainEqual({ id: one + 1, distance: 31 })
        expect(sorted(reported)).toEqual(sorted(linearScan(ids, words, query, 31)))
      }
    }
  })

  it('keeps the fingerprint in the bits the entry layout leaves, one uint32 per entry plus escapes', () => {
    expect(PdqMihSegment.build(ids, words).fingerprintBits).toBe(12)
    expect(segments.map((s) => s.fingerprintBits)).toEqual([12, 8, 4, 0, 16, 16, 16, 16])
    const plain = size * PDQ_WORDS * 4 + size * 4 + 16 * 65_537 * 4 + 15 * size * 4
    // Up to 2^17 hashes every position is in block 0: no escapes.
    expect(segments.slice(0, 5).map((s) => s.byteLength)).toEqual(new Array(5).fill(plain))
    for (const segment of segments.slice(5)) expect(segment.byteLength).toBeGreaterThan(plain)
  })

  it('rejects entry layouts that do not fit a uint32', () => {
    expect(() => PdqMihSegment.build(ids, words, { lowBits: 30, stepBits: 3 })).toThrow(RangeError)
    expect(() => PdqMihSegment.build(ids, words, { stepBits: 4 })).toThrow(RangeError)
  })
})
