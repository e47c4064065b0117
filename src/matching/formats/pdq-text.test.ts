import { Readable } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type HashListEntry, HashListError } from './hash-list-entry.js'
import { readPdqText, writePdqText } from './pdq-text.js'

const fixturePath = (name: string): string =>
  new URL(`../../../test/fixtures/hashlists/${name}`, import.meta.url).pathname

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}
const fromText = (text: string): Readable => Readable.from([Buffer.from(text)])
const HASH = 'f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22'

describe('readPdqText', () => {
  it('reads plain lists, hasher output, ThreatExchange signal files and vPDQ frame lists', async () => {
    const needles = await collect(readPdqText(fixturePath('pdq/needles.txt'), { category: 'A' }))
    expect(needles).toHaveLength(100)
    expect(needles[0]).toMatchObject({
      algorithm: 'pdq',
      category: 'A',
      location: { line: 1 },
      quality: null,
    })
    const hasher = await collect(readPdqText(fixturePath('pdq/pdq-photo-hasher-output.csv')))
    expect(hasher[0]).toMatchObject({
      value: HASH,
      sourceReference: 'reg_test/input/dih/bridge-1-original.jpg',
    })
    const signals = await collect(readPdqText(fixturePath('threatexchange/local-file-signals.txt')))
    expect(signals.map((e) => e.value)).toEqual(needles.slice(0, 5).map((e) => e.value))
    const frames = await collect(readPdqText(fixturePath('vpdq/chair-19-sd-bar.txt')))
    expect(frames[1]).toMatchObject({
      quality: 100,
      sourceReference: 'frame 1 @ 0.033s',
      location: { line: 2 },
    })
  })

  it('accepts quality, CRLF, comments, blank lines and upper case', async () => {
    const text = `# list\r\n${HASH.toUpperCase()},87\r\n\r\n${HASH},90,a.jpg\n${HASH}`
    const entries = await collect(readPdqText(fromText(text)))
    expect(entries.map((e) => [e.value, e.quality, e.sourceReference, e.location.line])).toEqual([
      [HASH, 87, null, 2],
      [HASH, 90, 'a.jpg', 4],
      [HASH, null, null, 5],
    ])
  })

  it.each([
    [`${HASH.slice(1)}\n`, 1, 'hash'],
    [`${HASH}\n${HASH.slice(0, 63)}x\n`, 2, 'hash'],
    [`${HASH},101\n`, 1, 'quality'],
    [`md5 ${HASH}\n`, 1, 'signal_type'],
    [`${HASH},1,2,3,4\n`, 1, undefined],
  ])('refuses %j naming line %i', async (text, line, field) => {
    const error = await collect(readPdqText(fromText(text))).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(HashListError)
    expect(error).toMatchObject({ line, field })
  })

  it('round-trips export -> import', () => {
    const entry = fc.record({
      value: fc.stringMatching(/^[0-9a-f]{64}$/),
      quality: fc.option(fc.integer({ min: 0, max: 100 }), { nil: null }),
    })
    return fc.assert(
      fc.asyncProperty(fc.array(entry, { maxLength: 30 }), async (generated) => {
        const entries: HashListEntry[] = generated.map((g, i) => ({
          algorithm: 'pdq',
          value: g.value,
          category: 'uncategorised',
          series: null,
          victimIdentified: null,
          sourceReference: null,
          quality: g.quality,
          sourceCategory: null,
          location: { line: i + 1 },
        }))
        const text = (await collect(writePdqText(entries))).join('')
        expect(await collect(readPdqText(fromText(text)))).toEqual(entries)
      }),
      { numRuns: 100 },
    )
  })

  it('fails only with HashListError on arbitrary lines', () => {
    return fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.string(), fc.constant(HASH), fc.constant(`pdq ${HASH}`))),
        async (lines) => {
          await collect(readPdqText(fromText(lines.join('\n')))).catch((error: unknown) =>
            expect(error).toBeInstanceOf(HashListError),
          )
        },
      ),
      { numRuns: 300 },
    )
  })
})
