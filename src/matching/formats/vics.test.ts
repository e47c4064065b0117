import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type HashListEntry, HashListError } from './hash-list-entry.js'
import { readVics } from './vics.js'
import type { VicsCategoryMapping } from './vics-categories.js'
import { writeVics } from './vics-writer.js'

const fixturePath = (name: string): string =>
  new URL(`../../../test/fixtures/hashlists/vics/${name}`, import.meta.url).pathname

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}
const fromText = (text: string): Readable => Readable.from([Buffer.from(text)])
const failure = async (text: string, mapping?: VicsCategoryMapping): Promise<HashListError> => {
  const error = await collect(readVics(fromText(text), { categoryMapping: mapping })).catch(
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(HashListError)
  return error as HashListError
}
const v2 = (profile: string, media: string): string =>
  `{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/${profile}/$metadata#Media","value":[${media}]}`

/** A customer-style UK table; the shipped default deliberately has none (no public CAID mapping). */
const UK_TEST_MAPPING: VicsCategoryMapping = { UK: { '1': 'A', '2': 'B', '3': 'C', '4': 'not_indecent' } }

describe('readVics fixtures', () => {
  it('reads a 2.0 Default #Media hash set: MD5 and SHA1 per Media, nothing assumed for Default codes', async () => {
    const entries = await collect(readVics(fixturePath('vics-2.0-default-media-hashset.SYNTHETIC.json')))
    expect(entries).toHaveLength(6)
    expect(entries[2]).toEqual({
      algorithm: 'md5',
      value: 'c84bb372261892bdf8638adba1753ce5',
      category: 'uncategorised',
      series: 'FICTIONAL-SERIES-A',
      victimIdentified: true,
      sourceReference: '2',
      quality: null,
      sourceCategory: 'Default:1',
      location: { record: 2 },
    })
  })

  it('reads a 2.0 US #Cases export: US 0 is non-pertinent', async () => {
    const entries = await collect(readVics(fixturePath('vics-2.0-us-case.SYNTHETIC.json')))
    expect(entries.map((e) => [e.algorithm, e.category, e.sourceCategory])).toEqual([
      ['md5', 'not_indecent', 'US:0'],
      ['sha1', 'not_indecent', 'US:0'],
      ['md5', 'uncategorised', 'US:1'],
      ['sha1', 'uncategorised', 'US:1'],
      ['md5', 'uncategorised', null],
      ['sha1', 'uncategorised', null],
    ])
  })

  it('reads the UK case (Category omitted), 1.3 cases with AlternativeHashes and 1.2 media', async () => {
    const uk = await collect(readVics(fixturePath('vics-2.0-uk-case-uncategorised.SYNTHETIC.json')))
    expect(uk).toHaveLength(6)
    expect(uk.every((e) => e.category === 'uncategorised')).toBe(true)
    const v13 = await collect(readVics(fixturePath('vics-1.3-cases.SYNTHETIC.json')))
    expect(v13.map((e) => e.algorithm)).toEqual(['md5', 'sha1'])
    const v12 = await collect(readVics(fixturePath('vics-1.2-media-hashset.SYNTHETIC.json')))
    expect(v12.map((e) => e.value)).toContain('87c76a627072ebcbf64e71ea524d2e08')
  })

  it('applies a configured UK mapping and keeps int64 MediaIDs exact', async () => {
    const text = v2(
      'UK',
      '{"MediaID": 9223372036854775807, "MD5": "87C76A627072EBCBF64E71EA524D2E08", "Category": 2}',
    )
    const [entry] = await collect(readVics(fromText(`\ufeff${text}`), { categoryMapping: UK_TEST_MAPPING }))
    expect(entry).toMatchObject({
      category: 'B',
      sourceReference: '9223372036854775807',
      sourceCategory: 'UK:2',
    })
  })
})

describe('readVics refuses malformed input naming the record and field', () => {
  it.each([
    [v2('UK', '{"MD5": "XYZ"}'), 1, 'MD5'],
    [v2('UK', '{"MD5": "87C76A627072EBCBF64E71EA524D2E08"}, {"Category": 1}'), 2, 'MD5'],
    [v2('UK', '{"MD5": "87C76A627072EBCBF64E71EA524D2E08", "Category": "high"}'), 1, 'Category'],
    [v2('UK', '{"MD5": 12345}'), 1, 'MD5'],
    [
      v2('UK', '{"MD5": "87C76A627072EBCBF64E71EA524D2E08", "VictimIdentified": "maybe"}'),
      1,
      'VictimIdentified',
    ],
    [v2('UK', '{"MediaID": "x1", "MD5": "87C76A627072EBCBF64E71EA524D2E08"}'), 1, 'MediaID'],
  ])('%s', async (text, record, field) => {
    const error = await failure(text)
    expect(error).toMatchObject({ record, field })
  })

  it('refuses a truncated file, an unknown context and a missing context', async () => {
    const text = v2('UK', '{"MD5": "87C76A627072EBCBF64E71EA524D2E08"}')
    expect((await failure(text.slice(0, -5))).message).toMatch(/truncated|end of input/)
    expect((await failure('{"@odata.context": "http://example/other", "value": []}')).field).toBe(
      '@odata.context',
    )
    expect((await failure('{"value": []}')).field).toBe('@odata.context')
  })
})

const hex = (length: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${length}}$`))
const vicsEntry = fc.record({
  algorithm: fc.constantFrom('md5' as const, 'sha1' as const, 'pdq' as const),
  md5: hex(32),
  sha1: hex(40),
  pdq: hex(64),
  category: fc.constantFrom(
    'A' as const,
    'B' as const,
    'C' as const,
    'not_indecent' as const,
    'uncategorised' as const,
  ),
  series: fc.option(fc.string({ minLength: 1 }), { nil: null }),
  victimIdentified: fc.option(fc.boolean(), { nil: null }),
  sourceReference: fc.option(fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }).map(String), { nil: null }),
})

describe('VICS export -> import', () => {
  it('round-trips every field VICS carries', () => {
    return fc.assert(
      fc.asyncProperty(fc.array(vicsEntry, { maxLength: 20 }), async (generated) => {
        const entries: HashListEntry[] = generated.map((g, i) => ({
          algorithm: g.algorithm,
          value: g[g.algorithm],
          category: g.category,
          series: g.series,
          victimIdentified: g.victimIdentified,
          sourceReference: g.sourceReference,
          quality: null,
          sourceCategory: null,
          location: { record: i + 1 },
        }))
        const text = (await collect(writeVics(entries, { categoryMapping: UK_TEST_MAPPING }))).join('')
        const read = await collect(readVics(fromText(text), { categoryMapping: UK_TEST_MAPPING }))
        expect(read.map(({ sourceCategory: _, ...rest }) => rest)).toEqual(
          entries.map(({ sourceCategory: _, ...rest }) => rest),
        )
      }),
      { numRuns: 100 },
    )
  })

  it('refuses to export a category the profile has no code for', async () => {
    const entry: HashListEntry = {
      algorithm: 'md5',
      value: '87c76a627072ebcbf64e71ea524d2e08',
      category: 'A',
      series: null,
      victimIdentified: null,
      sourceReference: null,
      quality: null,
      sourceCategory: null,
      location: {},
    }
    const error = await collect(writeVics([entry])).catch((caught: unknown) => caught)
    expect(error).toMatchObject({ record: 1, field: 'category' })
  })

  it('fails only with HashListError on mutated files', () => {
    const base = readFileSync(fixturePath('vics-2.0-default-media-hashset.SYNTHETIC.json'), 'utf8')
    return fc.assert(
      fc.asyncProperty(
        fc.nat(base.length - 1),
        fc.string({ maxLength: 4 }),
        fc.nat(3),
        async (at, insert, cut) => {
          const mutated = base.slice(0, at) + insert + base.slice(at + cut)
          await collect(readVics(fromText(mutated))).catch((error: unknown) =>
            expect(error).toBeInstanceOf(HashListError),
          )
        },
      ),
      { numRuns: 300 },
    )
  })
})
