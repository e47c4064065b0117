import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readDocuments } from '../src/intake/documents.js'
import { ingestDocuments } from '../src/intake/service.js'
import { storeRun } from '../src/intake/store-run.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { documentOf, INTAKE, leReport, uniqueReportId } from './factories.js'

/**
 * Storing a run with two transactions in flight gives what storing it one batch after another gives:
 * versions numbered in file order, <fileDetails> after their report, and on a failure exactly the
 * batches reported as stored are in the database.
 */
let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(async () => {
  await t.drop()
})

const fixture = (name: string) => ({
  fileName: name,
  body: readFileSync(join('test/fixtures/cybertipline', name)),
})

describe('storing a run with transactions in flight', () => {
  it('numbers the versions of each report in file order, whatever the batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Each document: which of three reports, and which of three contents.
        fc.array(fc.tuple(fc.nat(2), fc.nat(2)), { minLength: 1, maxLength: 14 }),
        fc.integer({ min: 1, max: 4 }),
        async (sequence, batchSize) => {
          const reportIds = [uniqueReportId(), uniqueReportId(), uniqueReportId()]
          const incoming = sequence.map(([report, content], i) =>
            documentOf(
              leReport({ reportId: reportIds[report], annotations: [`content ${content}`] }),
              `${i}.json`,
            ),
          )
          const { outcomes, refusals } = await ingestDocuments(t.db, INTAKE, incoming, {
            batchSize,
            concurrency: 2,
          })
          expect(refusals).toEqual([])
          // One outcome per document (within a batch, duplicates are listed after what they duplicate).
          expect(outcomes.map((o) => o.fileName).sort()).toEqual(incoming.map((d) => d.fileName).sort())
          // One after another: each report's distinct contents become versions 1, 2, ... in order of
          // first appearance, each superseding the one before.
          const expected = new Map<string, string[]>()
          for (const [report, content] of sequence) {
            const versions = expected.get(String(reportIds[report])) ?? []
            if (!versions.includes(`content ${content}`)) versions.push(`content ${content}`)
            expected.set(String(reportIds[report]), versions)
          }
          const stored = await sql<{
            reference: string
            version: number
            annotation: string
            follows: boolean
          }>`
            select r.source_reference as reference, r.version, r.annotations[1] as annotation,
              (r.version = 1 and r.supersedes_referral_id is null) or p.version = r.version - 1 as follows
            from referrals r left join referrals p on p.id = r.supersedes_referral_id
            where r.source_reference = any(${reportIds.map(String)}::text[])
            order by r.source_reference, r.version`.execute(t.db)
          const actual = new Map<string, string[]>()
          for (const row of stored.rows) {
            expect(row.follows).toBe(true)
            actual.set(row.reference, [...(actual.get(row.reference) ?? []), row.annotation])
          }
          expect(actual).toEqual(expected)
        },
      ),
      { numRuns: 25 },
    )
  })

  it('stores <fileDetails> only once the report before them has committed', async () => {
    const { outcomes, refusals } = await ingestDocuments(
      t.db,
      INTAKE,
      [fixture('report-minimal.xml'), fixture('filedetails-minimal.xml')],
      { reportId: '4564654', batchSize: 1, concurrency: 2 },
    )
    expect(refusals).toEqual([])
    expect(outcomes.map((o) => o.status)).toEqual(['accepted', 'attached'])
    expect(outcomes[1]!.referralId).toBe(outcomes[0]!.referralId)
  })

  it('on a failed batch starts no more, waits for those in flight, and keeps exactly what it reported', async () => {
    const reportIds = Array.from({ length: 10 }, () => uniqueReportId())
    const refused = String(reportIds[3])
    // The session skips ordinary triggers while storing (row-triggers.ts); this one always fires.
    await sql
      .raw(`create function refuse_marked() returns trigger language plpgsql as $$
        begin
          if new.source_reference = '${refused}' then raise exception 'report ${refused} refused by the test'; end if;
          return new;
        end $$;
        create trigger refuse_marked before insert on referrals for each row execute function refuse_marked();
        alter table referrals enable always trigger refuse_marked`)
      .execute(t.db)
    const { read } = await readDocuments(reportIds.map((id) => documentOf(leReport({ reportId: id }))))
    const reported: string[] = []
    const run = storeRun(
      t.db,
      INTAKE,
      read.map((document) => [document]),
      {
        concurrency: 2,
        onStored: (outcomes) => {
          for (const o of outcomes) if (o.sourceReference) reported.push(o.sourceReference)
        },
      },
    )
    await expect(run).rejects.toThrow(`report ${refused} refused by the test`)
    const stored = await sql<{ reference: string }>`
      select source_reference as reference from referrals
      where source_reference = any(${reportIds.map(String)}::text[])`.execute(t.db)
    expect(stored.rows.map((r) => r.reference).sort()).toEqual([...reported].sort())
    expect(reported).not.toContain(refused)
    expect(reported.length).toBeLessThan(reportIds.length - 1)
    await sql.raw('drop trigger refuse_marked on referrals').execute(t.db)
  })
})
