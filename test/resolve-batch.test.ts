import { sql } from 'kysely'
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

/** The subject of each referral, in the order given. */
async function ingest(specs: ReferralSpec[]): Promise<string[]> {
  return ingestReports(specs.map((spec) => leReport(spec)))
}

/** A report whose suspect messaged `phone`: the phone is the intended recipient's. */
function withRecipient(spec: ReferralSpec, phone: string): Record<string, unknown> {
  const report = leReport(spec)
  ;(report.reportedInformation as Record<string, unknown>).intendedRecipients = {
    intendedRecipients: [{ screenName: 'recipient', phones: { phones: [{ value: phone }] } }],
  }
  return report
}
async function ingestReports(reports: Record<string, unknown>[]): Promise<string[]> {
  const { outcomes } = await ingestDocuments(
    t.db,
    INTAKE,
    reports.map((r) => documentOf(r)),
  )
  await t.drain()
  const ids = outcomes.map((o) => o.referralId!)
  const rows = await t.db
    .selectFrom('referrals')
    .select(['id', 'subject_id'])
    .where('id', 'in', ids)
    .execute()
  return ids.map((id) => rows.find((r) => r.id === id)!.subject_id!)
}

describe('resolving a batch', () => {
  it('never links through an identifier that another report names for someone else (a recipient)', async () => {
    // Report 1's suspect messaged a phone; report 2's suspect has that phone. They are two people: only
    // what reports say of their reported persons links, whichever of the two arrives first.
    const [sender] = await ingestReports([withRecipient({ email: 'sender@example.org' }, '07700 900501')])
    const [holder] = await ingestReports([leReport({ phone: '+447700900501' })])
    expect(holder).not.toBe(sender)
    const [holderFirst] = await ingestReports([leReport({ phone: '07700 900502' })])
    const [senderAfter] = await ingestReports([
      withRecipient({ email: 'sender2@example.org' }, '07700900502'),
    ])
    expect(senderAfter).not.toBe(holderFirst)
  })

  it('counts an identifier named for recipients toward the cap: a phone in 26 reports links no one', async () => {
    await ingestReports(
      Array.from({ length: 24 }, (_, i) =>
        withRecipient({ email: `messager${i}@example.org` }, '07700 900601'),
      ),
    )
    const [first, second] = await ingestReports([
      leReport({ phone: '07700900601' }),
      leReport({ phone: '+44 7700 900601' }),
    ])
    expect(second).not.toBe(first)
  })

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

  it('counts an identifier across earlier batches up to the cap: linked at 25 referrals, not at 26', async () => {
    const earlier = await ingest(Array.from({ length: 24 }, () => ({ email: 'club@example.org' })))
    expect(new Set(earlier).size).toBe(1)
    const [twentyFifth] = await ingest([{ email: 'club@example.org' }])
    expect(twentyFifth).toBe(earlier[0])
    const [twentySixth] = await ingest([{ email: 'club@example.org' }])
    expect(twentySixth).not.toBe(earlier[0])
    const created = await t.db
      .selectFrom('audit_events')
      .select('details')
      .where('action', '=', 'subject.created')
      .where('record_id', '=', twentySixth!)
      .executeTakeFirstOrThrow()
    expect((created.details as { cappedIdentifiers: string[] }).cappedIdentifiers).toHaveLength(1)
  })
})

describe('evidence is never deleted', () => {
  it('refuses to delete referrals and identifiers, whoever asks', async () => {
    await ingest([{ email: 'kept@example.org' }])
    await expect(sql`delete from referrals`.execute(t.db)).rejects.toThrow(/referrals rows are never deleted/)
    await expect(sql`delete from identifiers`.execute(t.db)).rejects.toThrow(
      /identifiers rows are never deleted/,
    )
    const left = await sql<{ n: number }>`select count(*)::int as n from referrals`.execute(t.db)
    expect(left.rows[0]!.n).toBeGreaterThan(0)
  })
})
