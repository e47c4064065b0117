import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { randomWords } from '../../test/pdq-words.js'
import { hexToWords, PDQ_WORDS, packHexHashes } from './pdq-hash.js'
import { PdqIndex, type PdqMatch } from './pdq-index.js'
import { linearScan, linearScanMany } from './pdq-linear.js'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../test/fixtures/pdq-index/${name}`, import.meta.url), 'utf8')
const lines = (text: string): string[] => text.split('\n').filter((line) => line.trim() !== '')
const sorted = (matches: PdqMatch[]): PdqMatch[] =>
  [...matches].sort((a, b) => a.id - b.id || a.distance - b.distance)

function flipBits(words: Uint32Array, at: number, bits: readonly number[]): Uint32Array {
  const query = words.slice(at * PDQ_WORDS, at * PDQ_WORDS + PDQ_WORDS)
  for (const bit of bits) query[bit >>> 5]! ^= 1 << (bit & 31)
  return query
}

describe('PdqIndex against the C++ reference mih-query -d 31', () => {
  it('finds exactly the reference matches for every needle', () => {
    const haystack = lines(fixture('haystack.txt'))
    const index = PdqIndex.build(
      haystack.map((_, i) => i + 1), // the reference prints 1-based line numbers as idx
      haystack,
    )
    const expected = new Map<string, PdqMatch[]>()
    let needle = ''
    for (const line of lines(fixture('reference-mih-query-d31.txt'))) {
      if (line.startsWith('needle=')) {
        needle = line.slice('needle='.length)
        expected.set(needle, [])
      } else {
        const match = /^d=(\d+),match=([0-9a-f]{64}),idx=(\d+)$/.exec(line)
        if (!match) throw new Error(`unexpected line ${line}`)
        expected.get(needle)!.push({ id: Number(match[3]), distance: Number(match[1]) })
      }
    }
    const needles = lines(fixture('needles.txt'))
    expect(needles).toHaveLength(100)
    let total = 0
    for (const hash of needles) {
      const matches = sorted(index.query(hash, 31))
      expect(matches).toEqual(sorted(expected.get(hash) ?? []))
      total += matches.length
    }
    expect(total).toBe(250)
  })
})

describe('PdqIndex against a brute-force scan', () => {
  const size = 100_000
  const words = randomWords(size, 20261129)
  const ids = Uint32Array.from({ length: size }, (_, i) => i * 7 + 3)
  const index = PdqIndex.build(ids, words)
  const bit = fc.integer({ min: 0, max: 255 })
  const planted = fc.record({
    target: fc.integer({ min: 0, max: size - 1 }),
    bits: fc.uniqueArray(bit, { minLength: 1, maxLength: 31 }),
  })

  it('returns the same matches for planted near-duplicates at distances 1..31', () => {
    fc.assert(
      fc.property(planted, fc.integer({ min: 0, max: 40 }), ({ target, bits }, radius) => {
        const query = flipBits(words, target, bits)
        const actual = sorted(index.query(query, radius))
        expect(actual).toEqual(sorted(linearScan(ids, words, query, radius)))
        if (bits.length <= radius) expect(actual).toContainEqual({ id: ids[target]!, distance: bits.length })
      }),
      { numRuns: 100 },
    )
  })

  it('falls back to a scan for radii beyond the multi-index (>= 48)', () => {
    const query = flipBits(words, 5, [1, 2, 3])
    expect(sorted(index.query(query, 60))).toEqual(sorted(linearScan(ids, words, query, 60)))
  })

  it('queryDihedral reports each id once with its minimum distance over the variants', () => {
    fc.assert(
      fc.property(fc.array(planted, { minLength: 8, maxLength: 8 }), (plants) => {
        const queries = plants.map(({ target, bits }) => flipBits(words, target, bits))
        const actual = sorted(index.queryDihedral(queries))
        expect(actual).toEqual(sorted(linearScanMany(ids, words, queries, 31)))
      }),
      { numRuns: 15 },
    )
  })
})

describe('PdqIndex incremental updates', () => {
  const base = 5_000 // above MIN_INDEXED_SIZE, so the multi-index and its tombstones are exercised
  const words = randomWords(base + 400, 7)

  it('matches a model through any sequence of add, remove and compaction', () => {
    const operation = fc.oneof(
      fc.record({
        kind: fc.constant('add' as const),
        id: fc.integer({ min: 0, max: 50 }),
        at: fc.nat(base + 399),
      }),
      fc.record({ kind: fc.constant('remove' as const), id: fc.integer({ min: 0, max: 50 }) }),
      fc.record({ kind: fc.constant('compact' as const) }),
    )
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), fc.nat(base - 1), (operations, probe) => {
        // Base ids 1000.. never collide with the added ids 0..50.
        const baseIds = Uint32Array.from({ length: base }, (_, i) => 1000 + i)
        const index = PdqIndex.build(baseIds, words.slice(0, base * PDQ_WORDS), { deltaLimit: 7 })
        const model = new Map<number, number[]>()
        for (let i = 0; i < base; i++) model.set(1000 + i, [i])
        for (const op of operations) {
          if (op.kind === 'add') {
            index.add(op.id, words.subarray(op.at * PDQ_WORDS, op.at * PDQ_WORDS + PDQ_WORDS))
            model.set(op.id, [...(model.get(op.id) ?? []), op.at])
          } else if (op.kind === 'remove') {
            expect(index.remove(op.id)).toBe(model.get(op.id)?.length ?? 0)
            model.delete(op.id)
          } else {
            index.compact()
          }
        }
        const modelIds = [...model].flatMap(([id, ats]) => ats.map(() => id))
        const modelWords = new Uint32Array(modelIds.length * PDQ_WORDS)
        let n = 0
        for (const ats of model.values()) {
          for (const at of ats)
            modelWords.set(words.subarray(at * PDQ_WORDS, at * PDQ_WORDS + PDQ_WORDS), PDQ_WORDS * n++)
        }
        expect(index.size).toBe(modelIds.length)
        const queries = [probe, ...operations.flatMap((op) => (op.kind === 'add' ? [op.at] : []))]
        for (const at of queries) {
          const query = flipBits(words, at, [at & 255, (at * 7) & 255])
          const expected = linearScanMany(Uint32Array.from(modelIds), modelWords, [query], 31)
          expect(sorted(index.query(query))).toEqual(sorted(expected))
        }
      }),
      { numRuns: 40 },
    )
  })

  it('accepts hex strings and word arrays alike', () => {
    const hex = 'f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22'
    const index = PdqIndex.empty()
    index.add(9, hex)
    expect(index.query(hexToWords(hex))).toEqual([{ id: 9, distance: 0 }])
    expect(packHexHashes([hex])).toEqual(hexToWords(hex))
    expect(() => index.add(1, 'xyz')).toThrow(RangeError)
    expect(() => index.add(-1, hex)).toThrow(RangeError)
    expect(() => PdqIndex.build([2 ** 32], [hex])).toThrow(RangeError)
  })
})
