import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ingestDocuments } from '../src/intake/service.js'
import { locateSubjectsJob } from '../src/locating/jobs.js'
import { matchReferralsJob } from '../src/matching/jobs.js'
import { assessSubjectsJob } from '../src/packages/jobs.js'
import { createLogger } from '../src/platform/logger.js'
import type { JobContext } from '../src/platform/queue.js'
import { resolveReferralsJob } from '../src/subjects/jobs.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { documentOf, INTAKE, knownHashes, leReport } from './factories.js'

let t: TestDatabase
let context: JobContext
beforeAll(async () => {
  t = await createTestDatabase()
  context = { db: t.db, log: createLogger('silent') }
  await knownHashes(t.db, [{ text: 'known-a', category: 'A' }])
})
afterAll(() => t.drop())

/** Everything the stages write, counted: a second run of any stage must leave it unchanged. */
async function snapshot() {
  const result = await sql<Record<string, number>>`select
    (select count(*)::int from file_matches) as matches,
    (select count(*)::int from subjects) as subjects,
    (select count(*)::int from subjects where merged_into is null) as live,
    (select count(*)::int from packages) as packages,
    (select count(*)::int from package_referrals) as "packageReferrals",
    (select count(*)::int from referrals where subject_id is null) as unlinked,
    (select string_agg(status::text, ',' order by id) from referrals) as statuses`.execute(t.db)
  return result.rows[0]
}

it('runs each pipeline stage twice with the same result as once', async () => {
  const reports = [
    leReport({ email: 'twice@example.org', postcode: 'DT1 1AA', files: ['known-a', 'other'] }),
    leReport({ email: 'TWICE@example.org', phone: '07700 900111', postcode: 'DT1 1AA', files: ['known-a'] }),
    leReport({ phone: '+44 7700 900111', postcode: 'CT1 1AA' }),
    leReport({ email: 'alone@example.org', postcode: null }),
  ]
  const { outcomes } = await ingestDocuments(
    t.db,
    INTAKE,
    reports.map((r) => documentOf(r)),
  )
  const referralIds = outcomes.map((o) => o.referralId)

  const stages = [
    () => matchReferralsJob.handler({ referralIds }, context),
    () => resolveReferralsJob.handler({ referralIds }, context),
    async () => {
      const rows = await t.db
        .selectFrom('referrals')
        .select('subject_id')
        .where('id', 'in', referralIds)
        .execute()
      const subjectIds = [...new Set(rows.map((r) => r.subject_id!))]
      await locateSubjectsJob.handler({ subjectIds }, context)
    },
    async () => {
      const rows = await t.db.selectFrom('subjects').select('id').where('force_id', 'is not', null).execute()
      await assessSubjectsJob.handler({ subjectIds: rows.map((r) => r.id) }, context)
    },
  ]
  for (const stage of stages) {
    await stage()
    const once = await snapshot()
    await stage()
    expect(await snapshot()).toEqual(once)
  }
  const done = await snapshot()
  expect(done).toMatchObject({ matches: 2, live: 2, packages: 1, unlinked: 0 })
  // The jobs each stage queued run too (a third time): still no change.
  await t.drain()
  expect(await snapshot()).toEqual(done)
})
