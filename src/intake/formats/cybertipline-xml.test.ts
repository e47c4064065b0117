import { readdirSync, readFileSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { refusalOfAsync } from '../../../test/refusals.js'
import { RefusalError } from '../model.js'
import {
  type CybertiplineXml,
  extractCybertiplineXml,
  parseCybertiplineXml,
  parseCybertiplineXmlBatch,
} from './cybertipline-xml.js'
import { mutatedXmlDocuments } from './mutations.js'

const fixtures = new URL('../../../test/fixtures/cybertipline/', import.meta.url)
const fixture = (name: string) => readFileSync(new URL(name, fixtures), 'utf8')
const xmlFixtures = readdirSync(fixtures).filter((name) => name.endsWith('.xml'))
const reportFixtures = xmlFixtures.filter((name) => name.startsWith('report-'))
const fileDetailsFixtures = xmlFixtures.filter((name) => name.startsWith('filedetails-'))

const refusalOf = refusalOfAsync

function report(result: CybertiplineXml) {
  if (result.root !== 'report') throw new Error(`expected a report, got ${result.root}`)
  return result.referral
}

describe('parseCybertiplineXml on the published examples', () => {
  it('has the examples to test', () => {
    expect(reportFixtures.length).toBe(4)
    expect(fileDetailsFixtures.length).toBe(5)
  })

  it('reads every valid <report> example', async () => {
    const results = await parseCybertiplineXmlBatch(reportFixtures.map(fixture))
    for (const [index, result] of results.entries()) {
      if (result instanceof RefusalError) throw new Error(`${reportFixtures[index]}: ${result.message}`)
      expect(result.root).toBe('report')
    }
  })

  it('reads every <fileDetails> example', async () => {
    const results = await parseCybertiplineXmlBatch(fileDetailsFixtures.map(fixture))
    for (const [index, result] of results.entries()) {
      if (result instanceof RefusalError) throw new Error(`${fileDetailsFixtures[index]}: ${result.message}`)
      expect(result.root).toBe('fileDetails')
    }
  })

  it('reads the report with all fields', async () => {
    const referral = report(
      await parseCybertiplineXml(fixture('report-all-fields-and-multiple-incident-types.xml')),
    )
    expect(referral).toMatchObject({
      source: 'cybertipline-xml',
      sourceReference: null,
      incidentType: 'Child Pornography (possession, manufacture, and distribution)',
      incidentAt: '2024-01-15T14:30:00.000Z',
      escalation: 'Immediate risk to child',
      annotations: ['sextortion', 'csamSolicitation'],
    })
    expect(referral.persons.map((p) => [p.role, p.personIndex, p.path])).toEqual([
      ['reported_person', 0, '/report/personOrUserReported[1]'],
      ['intended_recipient', 0, '/report/intendedRecipient[1]'],
      ['child_victim', 0, '/report/victim[1]'],
    ])
    expect(referral.identifiers).toContainEqual({
      path: '/report/personOrUserReported[1]/ipCaptureEvent[1]/ipAddress[1]',
      kind: 'ip',
      value: '192.168.1.100',
      role: 'reported_person',
      personIndex: 0,
      platform: null,
      observedAt: '2024-01-15T12:00:00.000Z',
      port: null,
      event: 'Upload',
      possibleProxy: null,
      valueType: null,
      verified: null,
    })
    expect(referral.identifiers).toContainEqual(
      expect.objectContaining({
        kind: 'device',
        value: '123456789012345',
        valueType: 'IMEI',
        event: 'Login',
      }),
    )
    expect(referral.identifiers).toContainEqual(
      expect.objectContaining({
        kind: 'email',
        role: 'incident',
        value: 'suspicious@example.com',
        verified: true,
      }),
    )
    expect(referral.addresses).toContainEqual(
      expect.objectContaining({ path: '/report/intendedRecipient[1]/estimatedLocation[1]', derived: true }),
    )
    expect(referral.addresses).toContainEqual(
      expect.objectContaining({ street: '123 Main St', postcode: '62701', region: 'IL', derived: false }),
    )
  })

  it('decodes predefined entities and character references once', async () => {
    const text = fixture('report-minimal.xml').replace(
      '</incidentType>',
      '</incidentType>\n<platform>Chat &amp; Co &amp;#65; &#x41;&#66;</platform>',
    )
    expect(report(await parseCybertiplineXml(text)).platform).toBe('Chat & Co &#65; AB')
  })

  it('keeps several victims and recipients apart by index', async () => {
    const referral = report(await parseCybertiplineXml(fixture('report-multiple-victims-and-recipients.xml')))
    expect(referral.persons.map((p) => [p.role, p.personIndex, p.espUserId ?? p.lastName])).toEqual([
      ['intended_recipient', 0, 'USER456'],
      ['intended_recipient', 1, 'USER789'],
      ['child_victim', 0, 'One'],
      ['child_victim', 1, 'Two'],
    ])
  })

  it('reads the file details with all fields, keeping fileViewedByEsp', async () => {
    const result = await parseCybertiplineXml(fixture('filedetails-all-fields.xml'))
    if (result.root !== 'fileDetails') throw new Error('expected fileDetails')
    const { fileDetails } = result
    expect(fileDetails.reportId).toBe('123456')
    expect(fileDetails.fileId).toBe('FILE789')
    expect(fileDetails.file).toMatchObject({
      originalFileName: 'original_evidence.jpg',
      viewedByEsp: true,
      publiclyAvailable: false,
      industryClassification: 'A1',
      annotations: ['viral', 'liveStreaming'],
    })
    expect(fileDetails.file.hashes.map((h) => [h.algorithm, h.label])).toEqual([
      ['sha1', 'SHA1'],
      ['md5', 'MD5'],
      ['photodna', 'PhotoDNA'],
    ])
    expect(fileDetails.identifiers.map((i) => [i.kind, i.role, i.value, i.port])).toEqual([
      ['ip', 'file', '192.168.5.100', 443],
      ['device', 'file', '354123456789012', null],
    ])
  })
})

describe('parseCybertiplineXml refusals', () => {
  it('refuses the invalid example naming the line and element', async () => {
    const refusal = await refusalOf(() =>
      parseCybertiplineXml(fixture('INVALID-report-only-required-fields.xml')),
    )
    expect(refusal.where).toEqual({ line: 4, field: 'incidentType' })
    expect(refusal.message).toMatch(
      /^line 4, field incidentType: does not match the CyberTipline XSD: .*enumeration/,
    )
  })

  it('refuses XXE before parsing, saying it is a DOCTYPE', async () => {
    const xxe = `<?xml version="1.0"?>\n<!DOCTYPE report [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<report>&xxe;</report>`
    const refusal = await refusalOf(() => parseCybertiplineXml(xxe))
    expect(refusal.message).toBe(
      'line 2: refused before parsing: the document contains a document type declaration (<!DOCTYPE); DTDs and entities are not accepted',
    )
  })

  it('refuses billion laughs before parsing', async () => {
    const entities = Array.from({ length: 9 }, (_, n) => `<!ENTITY lol${n + 1} "${`&lol${n};`.repeat(10)}">`)
    const laughs = `<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol0 "lol">${entities.join('')}]>\n<report>&lol9;</report>`
    const refusal = await refusalOf(() => parseCybertiplineXml(laughs))
    expect(refusal.reason).toMatch(/<!DOCTYPE/)
    expect(() => extractCybertiplineXml(laughs)).toThrow(RefusalError)
  })

  it('refuses a stray entity declaration, saying it is an ENTITY', async () => {
    const refusal = await refusalOf(() => parseCybertiplineXml('<report>\n<!ENTITY a "b">\n</report>'))
    expect(refusal.message).toMatch(/^line 2: .*entity declaration \(<!ENTITY\)/)
  })

  it('refuses an API response, a foreign encoding and text that is not XML', async () => {
    expect((await refusalOf(() => parseCybertiplineXml(fixture('submit-response.xml')))).message).toBe(
      'at /reportResponse: <reportResponse> is an API response, not a report; expected <report> or <fileDetails>',
    )
    const latin = '<?xml version="1.0" encoding="ISO-8859-1"?><report/>'
    expect((await refusalOf(() => parseCybertiplineXml(latin))).reason).toMatch(/must be UTF-8/)
    const broken = await refusalOf(() => parseCybertiplineXml('<report>\n<incidentSummary>\n</report>'))
    expect(broken.where.line).toBe(3)
    expect(broken.reason).toMatch(/tag mismatch/)
  })
})

describe('Cybertipline XML under mutation', () => {
  const bases = [...reportFixtures, ...fileDetailsFixtures].map(fixture)

  it('the extractor alone never crashes on unvalidated input', () => {
    fc.assert(
      fc.property(mutatedXmlDocuments(bases), (text) => {
        try {
          extractCybertiplineXml(text)
        } catch (error) {
          if (!(error instanceof RefusalError)) throw error
          expect(error.message.length).toBeGreaterThan(0)
        }
      }),
      { numRuns: 3000 },
    )
  })

  it('validation and extraction read or refuse every mutated document', async () => {
    const texts = fc.sample(mutatedXmlDocuments(bases), { numRuns: 1000, seed: 20261129 })
    const results = await parseCybertiplineXmlBatch(texts)
    expect(results).toHaveLength(texts.length)
    let refused = 0
    for (const result of results) {
      if (result instanceof RefusalError) {
        refused++
        expect(result.message.length).toBeGreaterThan(0)
      } else expect(['report', 'fileDetails']).toContain(result.root)
    }
    expect(refused).toBeGreaterThan(0)
    expect(refused).toBeLessThan(texts.length)
  }, 60_000)
})
