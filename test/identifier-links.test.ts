import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingestDocuments } from '../src/intake/service.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { documentOf, INTAKE, leReport, type ReferralSpec } from './factories.js'

/**
 * The resolver keeps each identifier's count and subject in identifier_links instead of reading every
 * referral naming it. These pin down that what it keeps is what the referrals say, and that linking
 * does not depend on how referrals fall into batches.
 */
let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.drop())

interface Person {
  emails: string[]
  phones: string[]
  /** A phone the suspect messaged: someone else's, so it never links. */
  recipientPhone?: string
}

function reportOf(person: Person): Record<string, unknown> {
  const report = leReport({ phone: person.phones[0] } satisfies ReferralSpec)
  const reported = (
    report.reportedInformation as { reportedPeople: { reportedPersons: Record<string, unknown>[] } }
  ).reportedPeople.reportedPersons[0]!
  reported.emails = { emails: person.emails.map((value) => ({ value, verified: true })) }
  reported.phones = { phones: person.phones.map((value) => ({ value, verified: false })) }
  if (person.recipientPhone)
    (report.reportedInformation as Record<string, unknown>).intendedRecipients = {
      intendedRecipients: [
        { screenName: 'recipient', phones: { phones: [{ value: person.recipientPhone }] } },
      ],
    }
  return report
}

/** Ingests each batch in turn, running the pipeline after each; the subject of every referral, in order. */
async function resolveInBatches(batches: Person[][]): Promise<string[]> {
  const ids: string[] = []
  for (const batch of batches) {
    const { outcomes, refusals } = await ingestDocuments(
      t.db,
      INTAKE,
      batch.map((p) => documentOf(reportOf(p))),
    )
    expect(refusals).toEqual([])
    await t.drain()
    ids.push(...outcomes.map((o) => o.referralId!))
  }
  const rows = await t.db
    .selectFrom('referrals')
    .select(['id', 'subject_id'])
    .where('id', 'in', ids)
    .execute()
  return ids.map((id) => rows.find((r) => r.id === id)!.subject_id!)
}

/** What identifier_links should hold, derived from the referrals themselves (as migration 0008 fills it). */
async function expectLinksToMatchReferrals() {
  const derived = await sql<{ identifier_id: string; referrals: number; subject_id: string | null }>`
    select ri.identifier_id, count(distinct ri.referral_id)::int as referrals,
      min(r.subject_id) filter (where ri.normalised and ri.role = 'reported_person') as subject_id
    from referral_identifiers ri
    join identifiers i on i.id = ri.identifier_id and i.kind in ('email', 'phone', 'account')
    join referrals r on r.id = ri.referral_id and r.subject_id is not null
    group by ri.identifier_id order by ri.identifier_id`.execute(t.db)
  // identifier_links may name a subject merged since; what counts is the live one it leads to.
  const kept = await sql<{ identifier_id: string; referrals: number; subject_id: string | null }>`
    with recursive chain(start_id, id, merged_into) as (
      select s.id, s.id, s.merged_into from subjects s
      union all
      select c.start_id, s.id, s.merged_into from chain c join subjects s on s.id = c.merged_into
    )
    select l.identifier_id, l.referrals, c.id as subject_id from identifier_links l
    left join chain c on c.start_id = l.subject_id and c.merged_into is null
    order by l.identifier_id`.execute(t.db)
  // Over the cap an identifier's subject is never read, and may differ.
  const comparable = (rows: typeof kept.rows) =>
    rows.map((r) => ({ ...r, subject_id: r.referrals > 25 ? null : r.subject_id }))
  expect(comparable(kept.rows)).toEqual(comparable(derived.rows))
  // Each identifier row carries its identifier's kind (linking and the partial index read it).
  const mismatched = await sql<{ n: number }>`select count(*)::int as n from referral_identifiers ri
    join identifiers i on i.id = ri.identifier_id where ri.kind <> i.kind`.execute(t.db)
  expect(mismatched.rows[0]!.n).toBe(0)
}

/** Which referrals are one person: for each, the index of the first referral of its group. */
const partition = (subjects: string[]) => subjects.map((s) => subjects.indexOf(s))

let run = 0
describe('identifier links', () => {
  it('follows a subject merged twice since an identifier last linked into it', async () => {
    const [s0] = await resolveInBatches([[{ emails: ['zed@example.org'], phones: [] }]])
    const [s1] = await resolveInBatches([[{ emails: ['ayo@example.org'], phones: [] }]])
    // Linked into s2; after the next merge identifier_links still names s2 for this e-mail.
    const [s2] = await resolveInBatches([[{ emails: ['bea@example.org'], phones: ['07700 900701'] }]])
    expect(new Set([s0, s1, s2]).size).toBe(3)
    const [joined] = await resolveInBatches([[{ emails: ['ayo@example.org'], phones: ['07700900701'] }]])
    expect(joined).toBe(s1)
    const [joinedAgain] = await resolveInBatches([
      [{ emails: ['zed@example.org'], phones: ['+447700900701'] }],
    ])
    expect(joinedAgain).toBe(s0)
    const [later] = await resolveInBatches([[{ emails: ['BEA@example.org'], phones: [] }]])
    expect(later).toBe(s0)
    await expectLinksToMatchReferrals()
  })

  it('links the same people however the referrals fall into batches, and keeps what the referrals say', async () => {
    const person = fc.record({
      emails: fc.uniqueArray(fc.integer({ min: 0, max: 5 }), { maxLength: 2 }),
      phones: fc.uniqueArray(fc.integer({ min: 0, max: 3 }), { maxLength: 1 }),
      recipientPhone: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    })
    await fc.assert(
      fc.asyncProperty(
        fc.array(person, { minLength: 2, maxLength: 10 }),
        fc.array(fc.boolean(), { minLength: 10, maxLength: 10 }),
        async (people, cuts) => {
          // Each resolution gets identifiers of its own, so the two cannot link to each other.
          const concrete = (): Person[] => {
            run++
            const email = (n: number) => `p${run}-${n}@example.org`
            const phone = (n: number) => `07700 9${String(run).padStart(3, '0')}${n}0`
            return people.map((p) => ({
              emails: p.emails.map(email),
              phones: p.phones.map(phone),
              recipientPhone: p.recipientPhone === undefined ? undefined : phone(p.recipientPhone),
            }))
          }
          // The same people twice over: once in one batch, once split where `cuts` says.
          const together = await resolveInBatches([concrete()])
          const batches: Person[][] = [[]]
          concrete().forEach((p, i) => {
            if (i > 0 && cuts[i]) batches.push([])
            batches.at(-1)!.push(p)
          })
          const split = await resolveInBatches(batches)
          // Expected: one person per component of "shares an e-mail or phone of the reported person".
          const parent = people.map((_, i) => i)
          const root = (i: number): number => (parent[i] === i ? i : root(parent[i]!))
          for (const [i, p] of people.entries())
            for (const [j, q] of people.slice(0, i).entries())
              if (p.emails.some((e) => q.emails.includes(e)) || p.phones.some((n) => q.phones.includes(n)))
                parent[root(i)] = root(j)
          const expected = partition(people.map((_, i) => String(root(i))))
          expect(partition(together)).toEqual(expected)
          expect(partition(split)).toEqual(expected)
        },
      ),
      { numRuns: 12 },
    )
    await expectLinksToMatchReferrals()
  })
})
