import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { ingestDocuments } from '../src/intake/service.js'
import { matchReferralsJob, rematchLibraryChangeJob } from '../src/matching/jobs.js'
import { addKnownHashes } from '../src/matching/repo.js'
import { withdrawHashes } from '../src/matching/withdraw.js'
import { createLogger } from '../src/platform/logger.js'
import { projectRoot } from '../src/platform/paths.js'
import type { JobContext } from '../src/platform/queue.js'
import { resolveReferralsJob } from '../src/subjects/jobs.js'
import { assessSubjects } from '../src/triage/batch.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { documentOf, INTAKE, knownHashes, leReport } from './factories.js'

const fixtures = join(projectRoot, 'test/fixtures/cybertipline')

let t: TestDatabase
let context: JobContext
beforeAll(async () => {
  t = await createTestDatabase()
  context = { db: t.db, log: createLogger('silent') }
  await knownHashes(t.db, [
    { text: 'assess-a', category: 'A' },
    { text: 'assess-c', category: 'C' },
  ])
})
afterAll(() => t.drop())

function withVictims(report: Record<string, unknown>, names: string[]): Record<string, unknown> {
  const reported = report.reportedInformation as Record<string, unknown>
  reported.childVictims = { childVictims: names.map((firstName) => ({ firstName, approximateAge: '12' })) }
  return report
}

async function ingestAndLink(reports: Record<string, unknown>[]): Promise<string[]> {
  const { outcomes } = await ingestDocuments(
    t.db,
    INTAKE,
    reports.map((r) => documentOf(r)),
  )
  const referralIds = outcomes.map((o) => o.referralId).filter((id): id is string => id !== undefined)
  await matchReferralsJob.handler({ referralIds }, context)
  await resolveReferralsJob.handler({ referralIds }, context)
  return referralIds
}

/** What an import does after adding entries (the test factory adds them without queuing it). */
async function rematchLatestChange(): Promise<void> {
  const { seq } = await t.db
    .selectFrom('hash_library_changes')
    .select('seq')
    .orderBy('seq', 'desc')
    .executeTakeFirstOrThrow()
  await rematchLibraryChangeJob.handler({ changeSeq: String(seq) }, context)
}

async function subjectOf(referralId: string): Promise<string> {
  const row = await t.db
    .selectFrom('referrals')
    .select('subject_id')
    .where('id', '=', referralId)
    .executeTakeFirstOrThrow()
  return row.subject_id!
}

it('counts files, matched files and child victims over current referrals only, per subject', async () => {
  const first = leReport({ email: 'assess-one@example.org', files: ['assess-a', 'x1', 'x2'] })
  const [one, two, other] = await ingestAndLink([
    withVictims(first, ['Ann', 'Bea']),
    leReport({ email: 'ASSESS-ONE@example.org', files: ['assess-c'] }),
    withVictims(leReport({ email: 'assess-two@example.org', files: ['y1'] }), ['Cal']),
  ])
  const subject = await subjectOf(one!)
  expect(await subjectOf(two!)).toBe(subject)
  const otherSubject = await subjectOf(other!)

  const before = await assessSubjects(t.db, [subject, otherSubject])
  expect(before.get(subject)).toMatchObject({
    referralIds: [one, two],
    indicators: { referrals: 2, files: 4, childVictims: 2, matchedFiles: { A: 1, B: 0, C: 1 } },
  })
  expect(before.get(otherSubject)).toMatchObject({
    referralIds: [other],
    indicators: { referrals: 1, files: 1, childVictims: 1, matchedFiles: { A: 0, B: 0, C: 0 } },
  })

  // A re-sent first report with one file and one victim replaces the first version in every count.
  const resent = withVictims(
    { ...first, reportedInformation: { ...(first.reportedInformation as object) } },
    ['Ann'],
  )
  ;(resent.reportedInformation as Record<string, unknown>).uploadedFiles = (
    leReport({ files: ['x1'] }).reportedInformation as Record<string, unknown>
  ).uploadedFiles
  const [three] = await ingestAndLink([resent])
  expect(await subjectOf(three!)).toBe(subject)

  const after = await assessSubjects(t.db, [subject, otherSubject])
  expect(after.get(subject)).toMatchObject({
    referralIds: [two, three],
    indicators: { referrals: 2, files: 2, childVictims: 1, matchedFiles: { A: 0, B: 0, C: 1 } },
  })
  expect(after.get(otherSubject)).toEqual(before.get(otherSubject))
})

it('keeps counts right as files arrive later, the library gains an entry and an entry is withdrawn', async () => {
  const reportId = 123456
  const [referral] = await ingestAndLink([
    leReport({ reportId, email: 'assess-later@example.org', files: ['assess-later', 'z1'] }),
  ])
  await t.drain() // the queued pipeline jobs too, so only the library change matches the file below
  const subject = await subjectOf(referral!)
  const indicators = async () => (await assessSubjects(t.db, [subject])).get(subject)!.indicators
  expect(await indicators()).toMatchObject({ files: 2, matchedFiles: { A: 0, B: 0, C: 0 } })

  // An import that matches a file already received counts it from then on (the rematch marks it).
  await knownHashes(t.db, [{ text: 'assess-later', category: 'B' }], 'Later set')
  await rematchLatestChange()
  expect(await indicators()).toMatchObject({ files: 2, matchedFiles: { A: 0, B: 1, C: 0 } })

  // A <fileDetails> for the report adds its file; its MD5 is a known category A entry.
  await t.db
    .transaction()
    .execute((tx) =>
      addKnownHashes(tx, { name: 'Details set', source: 'tests' }, [
        { algorithm: 'md5', value: 'e86fdc2283aff4179685f2a918a769eb', category: 'A', series: null },
      ]),
    )
  await rematchLatestChange()
  const attached = await ingestDocuments(t.db, INTAKE, [
    {
      fileName: 'filedetails-all-fields.xml',
      body: readFileSync(join(fixtures, 'filedetails-all-fields.xml')),
    },
  ])
  expect(attached.outcomes.map((o) => [o.status, o.referralId])).toEqual([['attached', referral]])
  await t.drain()
  expect(await indicators()).toMatchObject({ files: 3, matchedFiles: { A: 1, B: 1, C: 0 } })

  // Withdrawn entries stop counting, though the file's match stays on record.
  await withdrawHashes(t.db, INTAKE, { set: 'Later set', values: 'all', reason: 'test' })
  await t.drain()
  expect(await indicators()).toMatchObject({ files: 3, matchedFiles: { A: 1, B: 0, C: 0 } })
})
