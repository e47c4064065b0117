import { Readable } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { readHashCsv, writeHashCsv } from './hash-csv.js'
import { type HashListEntry, HashListError } from './hash-list-entry.js'

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}
const fromText = (text: string): Readable => Readable.from([Buffer.from(text)])
const MD5 = '87c76a627072ebcbf64e71ea524d2e08'

describe('hash CSV', () => {
  it('reads a header-named list in any column order', async () => {
    const text = `\ufeffValue,Algorithm,category,quality\r\n${MD5.toUpperCase()},MD5,b,\r\n"${'a'.repeat(64)}",pdq,,55\r\n`
    const entries = await collect(readHashCsv(fromText(text)))
    expect(
      entries.map((e) => [e.algorithm, e.value.slice(0, 4), e.category, e.quality, e.location.line]),
    ).toEqual([
      ['md5', '87c7', 'B', null, 2],
      ['pdq', 'aaaa', 'uncategorised', 55, 3],
    ])
  })

  it.each([
    ['algorithm,value,catgory\nmd5,x,A\n', 1, 'catgory'],
    ['algorithm,category\nmd5,A\n', 1, 'value'],
    [`algorithm,value\nmd5,${MD5}\nsha1,${MD5}\n`, 3, 'value'],
    [`algorithm,value\nsha256,${MD5}\n`, 2, 'algorithm'],
    [`algorithm,value,category\nmd5,${MD5},D\n`, 2, 'category'],
    [`algorithm,value,victim_identified\nmd5,${MD5},perhaps\n`, 2, 'victim_identified'],
    [`algorithm,value\nmd5,"${MD5}\n`, 2, undefined],
    [`algorithm,value\nmd5,${MD5},extra\n`, 2, undefined],
  ])('refuses %j naming line %i', async (text, line, field) => {
    const error = await collect(readHashCsv(fromText(text))).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(HashListError)
    expect(error).toMatchObject({ line, field })
  })

  it('round-trips export -> import', () => {
    const text = fc.option(fc.string({ minLength: 1 }), { nil: null })
    const entry = fc.record({
      algorithm: fc.constantFrom('md5' as const, 'sha1' as const, 'pdq' as const),
      hex: fc.stringMatching(/^[0-9a-f]{64}$/),
      category: fc.constantFrom(
        'A' as const,
        'B' as const,
        'C' as const,
        'not_indecent' as const,
        'uncategorised' as const,
      ),
      series: text,
      victimIdentified: fc.option(fc.boolean(), { nil: null }),
      sourceReference: text,
      quality: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
      sourceCategory: text,
    })
    return fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 20 }), async (generated) => {
        const length = { md5: 32, sha1: 40, pdq: 64 }
        const entries: HashListEntry[] = generated.map(({ hex, ...g }, i) => ({
          ...g,
          value: hex.slice(0, length[g.algorithm]),
          location: { line: i + 2 },
        }))
        const written = (await collect(writeHashCsv(entries))).join('')
        const read = await collect(readHashCsv(fromText(written)))
        // Multi-line quoted fields move later line numbers; compare the content.
        expect(read.map(({ location: _, ...rest }) => rest)).toEqual(
          entries.map(({ location: _, ...rest }) => rest),
        )
      }),
      { numRuns: 100 },
    )
  })

  it('fails only with HashListError on arbitrary text', () => {
    return fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 80 }), async (body) => {
        await collect(readHashCsv(fromText(`algorithm,value,category\n${body}`))).catch((error: unknown) =>
          expect(error).toBeInstanceOf(HashListError),
        )
      }),
      { numRuns: 300 },
    )
  })
})
