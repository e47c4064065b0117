import { readFileSync } from 'node:fs'
import { Readable } from 'node:stream'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HashListError } from './hash-list-entry.js'
import { parseNcmecQueryResult, readNcmecHashSharing } from './ncmec-xml.js'

const fixture = (name: string): string =>
  readFileSync(new URL(`../../../test/fixtures/hashlists/ncmec-hashsharing/${name}`, import.meta.url), 'utf8')

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = []
  for await (const item of items) all.push(item)
  return all
}

describe('NCMEC hash sharing XML', () => {
  it('reads image and video fingerprints, deletions, paging and the checkpoint', () => {
    const page = parseNcmecQueryResult(fixture('entries-page1.xml'))
    expect(
      page.entries.map((e) => [e.algorithm, e.value.slice(0, 4), e.sourceReference, e.sourceCategory]),
    ).toEqual([
      ['md5', 'a1a1', '42/image1', 'NCMEC:A1'],
      ['sha1', 'a1a1', '42/image1', 'NCMEC:A1'],
      ['md5', 'b1b1', '42/video1', null],
      ['sha1', 'b1b1', '42/video1', null],
    ])
    expect(page.entries.every((e) => e.category === 'uncategorised')).toBe(true)
    expect(page.deletions.map((d) => [d.kind, d.memberId, d.id])).toEqual([
      ['image', '43', 'image4'],
      ['video', '42', 'video4'],
    ])
    expect(page.next).toContain('start=2001&size=1000')
    expect(page.maxTimestamp).toBe('2017-10-24T15:20:00Z')
  })

  it('reads the other pages, an empty result and link-only fingerprints', async () => {
    expect(parseNcmecQueryResult(fixture('entries-empty.xml')).entries).toEqual([])
    expect(
      parseNcmecQueryResult(fixture('entries-large-fingerprints.xml')).entries.map((e) => e.value),
    ).toEqual(['facefacefacefacefacefacefaceface'])
    const after = parseNcmecQueryResult(fixture('entries-update-after.xml'), {
      classificationMapping: { A2: 'B' },
    })
    expect(after.entries[0]).toMatchObject({
      category: 'B',
      sourceCategory: 'NCMEC:A2',
      location: { record: 1 },
    })
    const streamed = await collect(
      readNcmecHashSharing(Readable.from([Buffer.from(fixture('entries-page2.xml'))])),
    )
    expect(streamed).toHaveLength(2)
  })

  it('refuses DOCTYPE and ENTITY declarations, truncation and bad hashes', () => {
    const page = fixture('entries-page1.xml')
    const doctype = page.replace('?>', '?>\n<!DOCTYPE x [<!ENTITY e "boom">]>')
    expect(() => parseNcmecQueryResult(doctype)).toThrow(
      expect.objectContaining({ field: 'DOCTYPE', line: 2 }),
    )
    expect(() => parseNcmecQueryResult(page.slice(0, page.length / 2))).toThrow(HashListError)
    const badHash = page.replace('<md5>b1b1b1b1', '<md5>zzb1b1b1')
    expect(() => parseNcmecQueryResult(badHash)).toThrow(expect.objectContaining({ record: 3, field: 'md5' }))
    const noId = page.replace('<id>image1</id>', '')
    expect(() => parseNcmecQueryResult(noId)).toThrow(expect.objectContaining({ record: 1, field: 'id' }))
  })

  it('fails only with HashListError on mutated pages', () => {
    const page = fixture('entries-page1.xml')
    fc.assert(
      fc.property(fc.nat(page.length - 1), fc.string({ maxLength: 4 }), fc.nat(4), (at, insert, cut) => {
        try {
          parseNcmecQueryResult(page.slice(0, at) + insert + page.slice(at + cut))
        } catch (error) {
          expect(error).toBeInstanceOf(HashListError)
        }
      }),
      { numRuns: 300 },
    )
  })
})
