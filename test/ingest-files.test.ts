import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ChangedWhileIngestingError, type DocumentSource, ingestFiles } from '../src/intake/ingest-files.js'
import type { IncomingDocument, IngestOutcome } from '../src/intake/service.js'
import { projectRoot } from '../src/platform/paths.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { documentOf, INTAKE, leReport } from './factories.js'

let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.drop())

/** Sources that count how often each file is read. */
function counted(documents: IncomingDocument[]) {
  const loads = new Map<string, number>()
  const sources: DocumentSource[] = documents.map((d) => ({
    fileName: d.fileName,
    load: async () => {
      loads.set(d.fileName, (loads.get(d.fileName) ?? 0) + 1)
      return d.body
    },
  }))
  return { sources, loads }
}

async function storedReports(references: string[]): Promise<string[]> {
  const rows = await t.db
    .selectFrom('referrals')
    .select('source_reference')
    .where('source_reference', 'in', references)
    .orderBy('id')
    .execute()
  return rows.map((r) => r.source_reference!)
}

describe('ingesting files a batch at a time', () => {
  it('checks every file before storing any: a refusal in the last batch stores nothing', async () => {
    const reports = Array.from({ length: 5 }, () => leReport())
    const documents = [
      ...reports.map((r) => documentOf(r)),
      { fileName: 'zz-broken.json', body: Buffer.from('{"reportId": ') },
    ]
    const { sources, loads } = counted(documents)
    const { refusals } = await ingestFiles(t.db, INTAKE, sources, { batchSize: 2 })
    expect(refusals).toHaveLength(1)
    expect(refusals[0]!.message).toContain('zz-broken.json')
    expect(await storedReports(reports.map((r) => String(r.reportId)))).toEqual([])
    // Read once each, to check; never a second time, to store.
    expect([...loads.values()]).toEqual(documents.map(() => 1))
  })

  it('stores batch by batch, reading each file twice, and reports before the <fileDetails> naming them', async () => {
    const details: IncomingDocument = {
      fileName: 'aa-filedetails.xml',
      body: readFileSync(join(projectRoot, 'test/fixtures/cybertipline/filedetails-all-fields.xml')),
    }
    const reports = [leReport({ reportId: 123456 }), leReport(), leReport(), leReport()]
    const { sources, loads } = counted([details, ...reports.map((r) => documentOf(r))])
    const stored: IngestOutcome[] = []
    const progress: number[] = []
    const { refusals } = await ingestFiles(t.db, INTAKE, sources, {
      batchSize: 2,
      onStored: (outcomes, done) => {
        stored.push(...outcomes)
        progress.push(done)
      },
    })
    expect(refusals).toEqual([])
    expect(progress).toEqual([2, 4, 5])
    expect(stored.map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted', 'attached'])
    expect(stored[4]!.referralId).toBe(stored[0]!.referralId)
    expect([...loads.values()]).toEqual([2, 2, 2, 2, 2])
    expect(await storedReports(reports.map((r) => String(r.reportId)))).toHaveLength(4)
  })

  it('stores a <fileDetails> named twice after its report, however the files are listed', async () => {
    const details: IncomingDocument = {
      fileName: 'twice-filedetails.xml',
      body: readFileSync(join(projectRoot, 'test/fixtures/cybertipline/filedetails-minimal.xml')),
    }
    const reportId = Number(/<reportId>(\d+)<\/reportId>/.exec(details.body.toString())![1])
    // The two copies share a checking batch; their report comes in a later one.
    const { sources } = counted([
      details,
      details,
      documentOf(leReport()),
      documentOf(leReport()),
      documentOf(leReport({ reportId })),
    ])
    const stored: IngestOutcome[] = []
    const { refusals } = await ingestFiles(t.db, INTAKE, sources, {
      batchSize: 2,
      onStored: (outcomes) => stored.push(...outcomes),
    })
    expect(refusals).toEqual([])
    expect(stored.map((o) => o.status)).toEqual([
      'accepted',
      'accepted',
      'accepted',
      'attached',
      'already-attached',
    ])
  })

  it('stops, saying how much was stored, when a file reads differently the second time', async () => {
    const reports = Array.from({ length: 4 }, () => leReport())
    const documents = reports.map((r) => documentOf(r))
    let reads = 0
    const sources: DocumentSource[] = documents.map((d, i) => ({
      fileName: d.fileName,
      load: async () => (i === 2 && ++reads > 1 ? Buffer.from('not json') : d.body),
    }))
    const run = ingestFiles(t.db, INTAKE, sources, { batchSize: 2 })
    await expect(run).rejects.toBeInstanceOf(ChangedWhileIngestingError)
    await expect(run).rejects.toMatchObject({ storedBefore: 2 })
    expect(await storedReports(reports.map((r) => String(r.reportId)))).toEqual(
      reports.slice(0, 2).map((r) => String(r.reportId)),
    )
  })
})
