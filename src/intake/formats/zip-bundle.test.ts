import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { refusalOfAsync } from '../../../test/refusals.js'
import { RefusalError } from '../model.js'
import { seededRandom } from './mutations.js'
import { readZipBundle } from './zip-bundle.js'
import { buildZip, type FixtureEntry } from './zip-fixture.js'

const reportJson = readFileSync(
  new URL('../../../test/fixtures/cybertipline/le-report-shape.SYNTHETIC.json', import.meta.url),
  'utf8',
)
// Stand-ins only: bytes of text, never imagery.
const bundleEntries: FixtureEntry[] = [
  { name: 'Report_900000001.json', content: reportJson },
  { name: 'Report_900000001.pdf', content: '%PDF-1.4 placeholder', method: 'store' },
  { name: 'files/', content: '', method: 'store' },
  { name: 'files/900000001-file-1.jpg', content: 'placeholder media bytes', method: 'store' },
]

const refusalOf = (source: Buffer, limits = {}) => refusalOfAsync(() => readZipBundle(source, limits))

describe('readZipBundle', () => {
  it('reads the JSON report and lists every file without extracting media', async () => {
    const bundle = await readZipBundle(buildZip(bundleEntries))
    expect(bundle.reports).toHaveLength(1)
    const [report] = bundle.reports
    expect(report?.entryName).toBe('Report_900000001.json')
    expect(report?.json).toBe(reportJson)
    expect(report?.sha256).toBe(createHash('sha256').update(reportJson).digest('hex'))
    expect(report?.referral.sourceReference).toBe('900000001')
    expect(bundle.manifest.map((entry) => [entry.name, entry.kind, entry.uncompressedSize])).toEqual([
      ['Report_900000001.json', 'report-json', Buffer.byteLength(reportJson)],
      ['Report_900000001.pdf', 'pdf', 20],
      ['files/900000001-file-1.jpg', 'other', 23],
    ])
    expect(bundle.manifest[2]?.crc32).toMatch(/^[0-9a-f]{8}$/)
  })

  it.each([
    ['../evil.json', 'contains a .. segment'],
    ['files/../../evil.jpg', 'contains a .. segment'],
    ['/etc/evil.json', 'absolute path'],
    ['C:/evil.json', 'absolute path'],
    ['files\\evil.jpg', 'backslash'],
  ])('refuses the unsafe entry name %j', async (name, reason) => {
    const refusal = await refusalOf(buildZip([...bundleEntries, { name, content: 'x', method: 'store' }]))
    expect(refusal.message).toMatch(new RegExp(`unsafe|invalid|absolute|${reason.replace('\\', '\\\\')}`))
    expect(refusal.message.length).toBeGreaterThan(10)
  })

  it('refuses a JSON entry declaring more than the limit', async () => {
    const zip = buildZip([{ name: 'r.json', content: reportJson, declaredSize: 60 * 1024 * 1024 }])
    expect((await refusalOf(zip)).message).toMatch(/^file r\.json: the JSON report declares 62914560 bytes/)
  })

  it('refuses a zip bomb by ratio, declared honestly', async () => {
    const bomb = buildZip([{ name: 'r.json', content: ' '.repeat(5_000_000) }])
    expect((await refusalOf(bomb)).message).toMatch(/compression ratio of \d+:1, more than 100:1/)
  })

  it('stops inflating a zip bomb that lies about its size', async () => {
    const bomb = buildZip([{ name: 'r.json', content: ' '.repeat(5_000_000), declaredSize: 1000 }])
    expect((await refusalOf(bomb)).message).toMatch(
      /^file r\.json: the JSON report inflates beyond its declared size/,
    )
  })

  it('refuses a report larger than the configured limit', async () => {
    const honest = buildZip([{ name: 'r.json', content: reportJson }])
    expect((await refusalOf(honest, { maxJsonBytes: 1000, maxCompressionRatio: 1e9 })).message).toMatch(
      /declares \d+ bytes, more than 1000/,
    )
  })

  it('refuses too many entries, no report, a broken report and bytes that are not a ZIP', async () => {
    const many = Array.from({ length: 20 }, (_, n) => ({
      name: `f${n}.jpg`,
      content: 'x',
      method: 'store' as const,
    }))
    expect((await refusalOf(buildZip([...bundleEntries, ...many]), { maxEntries: 10 })).message).toMatch(
      /lists 24 entries, more than 10/,
    )
    expect((await refusalOf(buildZip(bundleEntries.slice(1)))).message).toBe('the ZIP holds no JSON report')
    expect((await refusalOf(buildZip([{ name: 'r.json', content: '{"reportId": 0}' }]))).message).toBe(
      'file r.json, at /reportId, field reportId: reportId must be a positive whole number, found 0',
    )
    expect((await refusalOf(Buffer.from('not a zip at all'))).message).toMatch(/^not a readable ZIP/)
  })

  it('never crashes on damaged bundles', async () => {
    const base = buildZip(bundleEntries)
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 0x7fffffff }), async (seed) => {
        const random = seededRandom(seed)
        const damaged = Buffer.from(base)
        const flips = 1 + Math.floor(random() * 4)
        for (let flip = 0; flip < flips; flip++) {
          const at = Math.floor(random() * damaged.length)
          damaged[at] = (damaged[at] ?? 0) ^ (1 << Math.floor(random() * 8))
        }
        const input = random() < 0.2 ? damaged.subarray(0, Math.floor(random() * damaged.length)) : damaged
        try {
          await readZipBundle(input)
        } catch (error) {
          if (!(error instanceof RefusalError)) throw error
          expect(error.message.length).toBeGreaterThan(0)
        }
      }),
      { numRuns: 2000 },
    )
  }, 60_000)
})
