import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingestDocuments } from '../src/intake/service.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { documentOf, INTAKE, leReport, type ReferralSpec } from './factories.js'

/** Subject resolution is set-based per batch; these pin down that it links exactly as one-by-one would. */
let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.drop())

async function ingest(specs: ReferralSpec[]) {
  const reports = specs.map((spec) => leReport(spec))
  const { outcomes } = await ingestDocuments(
    t.db,
    INTAKE,
    reports.map((r) => documentOf(r)),
  )
  await t.drain()
  const rows = await t.db
    .selectFrom('referrals')
    .select(['id', 'subject_id'])
    .where(
      'id',
      'in',
      outcomes.map((o) => o.referralId),
    )
    .orderBy('id')
    .execute()
  return rows.map((r) => r.subject_id!)
}

describe('resolving a batch', () => {
  it('links a chain within one batch (e-mail, then e-mail and phone, then phone) into one subject', async () => {
    const subjects = await ingest([
      { email: 'chain@example.org' },
      { email: 'CHAIN@example.org', phone: '07700 900301' },
      { phone: '+447700900301' },
      { phone: '07700 900399' },
    ])
    expect(new Set(subjects.slice(0, 3)).size).toBe(1)
    expect(subjects[3]).not.toBe(subjects[0])
  })

  it('merges two existing subjects joined by a new referral, the oldest surviving', async () => {
    const [older] = await ingest([{ email: 'older@example.org' }])
    const [newer] = await ingest([{ phone: '07700 900311' }])
    expect(older).not.toBe(newer)
    const [joined] = await ingest([{ email: 'older@example.org', phone: '07700 900311' }])
    expect(joined).toBe(older)
    const merged = await t.db
      .selectFrom('subjects')
      .select('merged_into')
      .where('id', '=', newer!)
      .executeTakeFirstOrThrow()
    expect(merged.merged_into).toBe(older)
    const moved = await t.db.selectFrom('referrals').select('id').where('subject_id', '=', newer!).execute()
    expect(moved).toEqual([])
  })

  it('does not link on an identifier seen in more than 25 referrals', async () => {
    const subjects = await ingest(Array.from({ length: 26 }, () => ({ email: 'test@test.com' })))
    expect(new Set(subjects).size).toBe(26)
  })
})
