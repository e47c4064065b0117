import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildZip } from '../src/intake/formats/zip-fixture.js'
import { type IncomingDocument, ingestDocuments } from '../src/intake/service.js'
import { projectRoot } from '../src/platform/paths.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { documentOf, INTAKE, leReport } from './factories.js'

const fixtures = join(projectRoot, 'test/fixtures/cybertipline')
const fixture = (name: string): IncomingDocument => ({
  fileName: name,
  body: readFileSync(join(fixtures, name)),
})
const validReports = readdirSync(fixtures).filter((f) => /^report-.*\.xml$/.test(f))

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.drop())

async function count(table: 'referrals' | 'referral_documents' | 'referral_files', where?: [string, string]) {
  let query = t.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n'))
  if (where) query = query.where(where[0] as never, '=', where[1] as never)
  return Number((await query.executeTakeFirstOrThrow()).n)
}

describe('CyberTipline XML', () => {
  it('imports every valid <report> example, each keyed by its SHA-256 and run through the pipeline', async () => {
    expect(validReports.length).toBeGreaterThanOrEqual(4)
    const { refusals, outcomes } = await ingestDocuments(t.db, INTAKE, validReports.map(fixture))
    expect(refusals).toEqual([])
    expect(outcomes.map((o) => o.status)).toEqual(validReports.map(() => 'accepted'))
    await t.drain()
    const stored = await t.db
      .selectFrom('referrals')
      .innerJoin('referral_documents as d', 'd.id', 'referrals.document_id')
      .select(['referrals.idempotency_key', 'd.sha256', 'd.format', 'referrals.status'])
      .where('referrals.source', '=', 'cybertipline-xml')
      .execute()
    expect(stored).toHaveLength(validReports.length)
    for (const row of stored) {
      expect(row.idempotency_key).toBe(`sha256:${row.sha256}`)
      expect(row.format).toBe('cybertipline-xml')
      expect(row.status).not.toBe('received')
    }
  })

  it('refuses the INVALID example naming the schema error, and stores nothing', async () => {
    const before = await count('referral_documents')
    const { refusals } = await ingestDocuments(t.db, INTAKE, [
      fixture('report-minimal.xml'),
      fixture('INVALID-report-only-required-fields.xml'),
    ])
    expect(refusals).toHaveLength(1)
    expect(refusals[0]!.message).toContain('file INVALID-report-only-required-fields.xml')
    expect(refusals[0]!.message).toMatch(/does not match the CyberTipline XSD/)
    expect(refusals[0]!.where.field).toBeTruthy()
    expect(await count('referral_documents')).toBe(before)
  })

  it('refuses a <fileDetails> naming a report not received, naming the report, and writes nothing', async () => {
    const before = await count('referral_documents')
    const { refusals } = await ingestDocuments(t.db, INTAKE, [
      fixture('filedetails-only-required-fields.xml'),
    ])
    expect(refusals.map((r) => r.message)).toEqual([expect.stringContaining('no CyberTipline report 123456')])
    expect(refusals[0]!.where).toMatchObject({
      file: 'filedetails-only-required-fields.xml',
      field: 'reportId',
    })
    expect(await count('referral_documents')).toBe(before)
  })

  it('attaches <fileDetails> to the XML report given its reportId, and a re-send is already attached', async () => {
    const report = await ingestDocuments(t.db, INTAKE, [fixture('report-minimal.xml')], {
      reportId: '4564654',
    })
    expect(report.outcomes[0]).toMatchObject({ status: 'accepted', sourceReference: '4564654' })
    const reportReferral = report.outcomes[0]!.referralId
    const first = await ingestDocuments(t.db, INTAKE, [fixture('filedetails-minimal.xml')])
    expect(first.outcomes).toEqual([
      expect.objectContaining({
        status: 'attached',
        referralId: reportReferral,
        fileId: 'b0754af766b426f2928a02c651ed4b99',
      }),
    ])
    const again = await ingestDocuments(t.db, INTAKE, [fixture('filedetails-minimal.xml')])
    expect(again.outcomes[0]?.status).toBe('already-attached')
    const files = await t.db
      .selectFrom('referral_files')
      .innerJoin('referral_documents as d', 'd.id', 'referral_files.document_id')
      .select(['referral_files.original_file_name', 'referral_files.path', 'd.file_name'])
      .where('referral_files.referral_id', '=', reportReferral)
      .execute()
    expect(files).toEqual([
      { original_file_name: 'mypic.jpg', path: '/fileDetails', file_name: 'filedetails-minimal.xml' },
    ])
    const ip = await t.db
      .selectFrom('referral_identifiers')
      .select(['raw_value', 'document_id'])
      .where('referral_id', '=', reportReferral)
      .where('raw_value', '=', '63.116.246.17')
      .executeTakeFirst()
    expect(ip?.document_id).toBeTruthy()
  })

  it('attaches <fileDetails> to an LE JSON report with that reportId, in the same run', async () => {
    const { refusals, outcomes } = await ingestDocuments(t.db, INTAKE, [
      fixture('filedetails-all-fields.xml'),
      documentOf(leReport({ reportId: 123456, email: 'details@example.org' })),
    ])
    expect(refusals).toEqual([])
    expect(outcomes.map((o) => o.status)).toEqual(['accepted', 'attached'])
    expect(outcomes[1]!.referralId).toBe(outcomes[0]!.referralId)
  })
})

describe('verbatim storage', () => {
  it('keeps every document of a batch byte for byte, whatever their sizes and bytes', async () => {
    // Sizes from tiny to large, a byte-order mark, CRLF and non-ASCII text: the bodies travel as one
    // buffer cut apart in SQL, so an off-by-one would shift every body after the first.
    const incoming = Array.from({ length: 40 }, (_, i) => {
      const report = leReport({ email: `verbatim${i}@example.org` })
      const text = JSON.stringify({ ...report, padding: 'é'.repeat(i * i * 13) }, null, i % 3)
      const body = Buffer.from(
        i % 4 === 0 ? `\ufeff${text}` : i % 4 === 1 ? text.replace(/\n/g, '\r\n') : text,
      )
      return { fileName: `verbatim-${i}.json`, body }
    })
    const { outcomes, refusals } = await ingestDocuments(t.db, INTAKE, incoming)
    expect(refusals).toEqual([])
    const stored = await t.db
      .selectFrom('referrals')
      .innerJoin('referral_documents as d', 'd.id', 'referrals.document_id')
      .select(['referrals.id', 'd.body', 'd.file_name'])
      .where(
        'referrals.id',
        'in',
        outcomes.map((o) => o.referralId),
      )
      .execute()
    expect(stored).toHaveLength(incoming.length)
    for (const row of stored) {
      const original = incoming.find((d) => d.fileName === row.file_name)!
      expect(Buffer.compare(row.body, original.body)).toBe(0)
    }
  })
})

describe('the LE JSON skeleton', () => {
  it('lands each field in the right row, with its path and the verbatim document', async () => {
    const incoming = fixture('le-report-shape.SYNTHETIC.json')
    const { outcomes } = await ingestDocuments(t.db, INTAKE, [incoming])
    const id = outcomes[0]!.referralId
    const referral = await t.db
      .selectFrom('referrals')
      .innerJoin('referral_documents as d', 'd.id', 'referrals.document_id')
      .selectAll('referrals')
      .select(['d.body', 'd.sha256', 'd.format'])
      .where('referrals.id', '=', id)
      .executeTakeFirstOrThrow()
    expect(referral).toMatchObject({
      source: 'cybertipline-le-json',
      idempotency_key: '900000001',
      source_reference: '900000001',
      platform: 'Example Chat',
      reporting_organisation: 'Example Platform Ltd',
      ncmec_priority: '2',
      version: 1,
      format: 'cybertipline-le-json',
    })
    expect(Buffer.compare(referral.body, incoming.body)).toBe(0)
    const person = await t.db
      .selectFrom('referral_persons')
      .selectAll()
      .where('referral_id', '=', id)
      .executeTakeFirstOrThrow()
    expect(person).toMatchObject({
      role: 'reported_person',
      date_of_birth: '1990-01-01',
      esp_user_id: '100000001',
      screen_name: 'fictional_user_1',
      display_names: ['Fictional User'],
      path: '/reportedInformation/reportedPeople/reportedPersons/0',
    })
    const identifiers = await t.db
      .selectFrom('referral_identifiers as ri')
      .innerJoin('identifiers as i', 'i.id', 'ri.identifier_id')
      .select(['i.kind', 'i.value', 'ri.raw_value', 'ri.path', 'ri.event', 'ri.port'])
      .where('ri.referral_id', '=', id)
      .execute()
    expect(identifiers).toContainEqual(
      expect.objectContaining({
        kind: 'email',
        value: 'fictional.user@example.org',
        path: expect.stringContaining('/emails/0'),
      }),
    )
    expect(identifiers).toContainEqual(expect.objectContaining({ kind: 'phone', value: '+447700900123' }))
    expect(identifiers).toContainEqual(
      expect.objectContaining({ kind: 'ip', raw_value: '192.0.2.10', event: 'LOGIN', port: 51234 }),
    )
    const files = await t.db.selectFrom('referral_files').selectAll().where('referral_id', '=', id).execute()
    expect(files).toEqual([
      expect.objectContaining({
        md5: '93c3b04d2cbd088c8fe84931ed5952ea',
        original_file_name: 'IMG_0001.jpg',
        viewed_by_esp: true,
        industry_classification: 'B2',
        path: '/reportedInformation/uploadedFiles/uploadedFiles/0',
      }),
    ])
  })
})

describe('versions', () => {
  it('stores a re-send with changes as a new version that runs the pipeline; the old stays', async () => {
    const report = leReport({ email: 'versioned@example.org', postcode: 'DT1 1AA' })
    const [first] = (await ingestDocuments(t.db, INTAKE, [documentOf(report)])).outcomes
    await t.drain()
    const changed = { ...report, informational: true }
    const [second] = (await ingestDocuments(t.db, INTAKE, [documentOf(changed)])).outcomes
    expect(second).toMatchObject({ status: 'accepted', version: 2, supersedes: first!.referralId })
    // The same content laid out differently is no change.
    const spaced = { fileName: 'spaced.json', body: Buffer.from(JSON.stringify(changed, null, 4)) }
    const [third] = (await ingestDocuments(t.db, INTAKE, [spaced])).outcomes
    expect(third).toMatchObject({ status: 'duplicate', referralId: second!.referralId })
    await t.drain()
    const rows = await t.db
      .selectFrom('referrals')
      .select(['id', 'version', 'supersedes_referral_id', 'status', 'subject_id'])
      .where('source_reference', '=', String(report.reportId))
      .orderBy('version')
      .execute()
    expect(rows).toHaveLength(2)
    expect(rows[1]).toMatchObject({ version: 2, supersedes_referral_id: rows[0]!.id, status: 'triaged' })
    expect(rows[1]!.subject_id).toBe(rows[0]!.subject_id)
  })
})

describe('P2P sightings, ZIP bundles and partner referrals', () => {
  it('rolls sightings up into one referral per peer and window, each pointing at its CSV line', async () => {
    const csv = [
      'IP,Port,Time,GUID,MD5,File Name',
      '192.0.2.44,6346,2025-03-01T10:00:00Z,CCCC0001,93c3b04d2cbd088c8fe84931ed5952ea,a.jpg',
      '192.0.2.44,6346,2025-03-01T11:00:00Z,CCCC0001,93c3b04d2cbd088c8fe84931ed5952ea,a.jpg',
      '198.51.100.9,6346,2025-03-01T11:00:00Z,DDDD0002,93c3b04d2cbd088c8fe84931ed5952ea,a.jpg',
    ].join('\n')
    const { outcomes } = await ingestDocuments(t.db, INTAKE, [
      { fileName: 'sightings.csv', body: Buffer.from(csv) },
    ])
    expect(outcomes.map((o) => o.status)).toEqual(['accepted', 'accepted'])
    const documents = await t.db
      .selectFrom('referrals')
      .select('document_id')
      .where(
        'id',
        'in',
        outcomes.map((o) => o.referralId),
      )
      .execute()
    expect(new Set(documents.map((d) => d.document_id)).size).toBe(1)
    const again = await ingestDocuments(t.db, INTAKE, [{ fileName: 'again.csv', body: Buffer.from(csv) }])
    expect(again.outcomes.map((o) => o.status)).toEqual(['duplicate', 'duplicate'])
  })

  it('keeps the JSON of a ZIP bundle and the list of its entries, never the media', async () => {
    const report = leReport({ email: 'bundle@example.org' })
    const zip = buildZip([
      { name: `${String(report.reportId)}.json`, content: JSON.stringify(report) },
      { name: 'media/IMG_0.jpg', content: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]) },
    ])
    const { outcomes, refusals } = await ingestDocuments(t.db, INTAKE, [
      { fileName: 'bundle.zip', body: zip },
    ])
    expect(refusals).toEqual([])
    const stored = await t.db
      .selectFrom('referrals')
      .innerJoin('referral_documents as d', 'd.id', 'referrals.document_id')
      .select(['d.body', 'd.manifest', 'd.file_name', 'd.media_type'])
      .where('referrals.id', '=', outcomes[0]!.referralId)
      .executeTakeFirstOrThrow()
    expect(stored.body.toString()).toBe(JSON.stringify(report))
    expect(stored.media_type).toBe('application/json')
    expect(stored.file_name).toBe(`bundle.zip!/${String(report.reportId)}.json`)
    expect(stored.manifest).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'media/IMG_0.jpg' })]),
    )
    const media = await sql<{ n: number }>`
      select count(*)::int as n from referral_documents where position('\\xffd8ffe0'::bytea in body) > 0`.execute(
      t.db,
    )
    expect(media.rows[0]?.n).toBe(0)
  })

  it('reads a partner referral posted as JSON, keyed by agency and reference, refusing a bad field', async () => {
    const partner = {
      partnerAgency: 'Example Partner Agency',
      reference: 'EPA-2026-0042',
      emails: ['Partner.Suspect@Example.org'],
      phones: [],
      accounts: [{ platform: 'Example Chat', account: 'suspect42' }],
      postcode: 'DT1 1AA',
      summary: 'Synthetic: suspect shared indecent images in a group chat.',
      fileHashes: ['93c3b04d2cbd088c8fe84931ed5952ea'],
    }
    const body = Buffer.from(JSON.stringify(partner))
    const { outcomes } = await ingestDocuments(t.db, INTAKE, [{ fileName: 'partner.json', body }])
    const row = await t.db
      .selectFrom('referrals')
      .select(['source', 'idempotency_key', 'summary', 'reporting_organisation'])
      .where('id', '=', outcomes[0]!.referralId)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({
      source: 'partner',
      idempotency_key: 'Example Partner Agency|EPA-2026-0042',
      summary: partner.summary,
      reporting_organisation: 'Example Partner Agency',
    })
    const bad = Buffer.from(JSON.stringify({ ...partner, reference: 'EPA-2', postcode: 'NOT A POSTCODE' }))
    const { refusals } = await ingestDocuments(t.db, INTAKE, [{ fileName: 'bad.json', body: bad }])
    expect(refusals[0]?.where).toMatchObject({ file: 'bad.json', field: 'postcode' })
  })
})

describe('text Postgres cannot store', () => {
  it('refuses a NUL character (U+0000) naming the file, the path and the field, and writes nothing', async () => {
    const report = leReport({ email: 'nul@example.org' })
    const people = report.reportedInformation as {
      reportedPeople: { reportedPersons: { firstName: string }[] }
    }
    people.reportedPeople.reportedPersons[0]!.firstName = 'Sam\u0000'
    const csv =
      'IP,Port,Time,GUID,MD5,File Name\n192.0.2.45,6346,2025-03-01T10:00:00Z,EEEE0001,93c3b04d2cbd088c8fe84931ed5952ea,a\u0000.jpg'
    const zip = buildZip([{ name: 'inner.json', content: JSON.stringify(report) }])
    const before = await count('referral_documents')
    const { refusals, outcomes } = await ingestDocuments(t.db, INTAKE, [
      documentOf(report, 'nul.json'),
      { fileName: 'nul.csv', body: Buffer.from(csv) },
      { fileName: 'nul.zip', body: zip },
      documentOf(leReport({ email: 'fine@example.org' }), 'fine.json'),
    ])
    expect(outcomes).toEqual([])
    expect(refusals.map((r) => r.where)).toEqual([
      { file: 'nul.json', path: '/reportedInformation/reportedPeople/reportedPersons/0', field: 'firstName' },
      { file: 'nul.csv', path: 'line 2', field: 'fileName' },
      {
        file: 'nul.zip',
        record: 'inner.json',
        path: '/reportedInformation/reportedPeople/reportedPersons/0',
        field: 'firstName',
      },
    ])
    expect(refusals[0]!.message).toContain('NUL character')
    expect(await count('referral_documents')).toBe(before)
  })
})
