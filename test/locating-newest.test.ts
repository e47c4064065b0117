import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ingestDocuments } from '../src/intake/service.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { documentOf, INTAKE, leReport, type ReferralSpec } from './factories.js'

/**
 * Locating reads a subject's newest few referrals first and the rest only when those do not locate
 * it. These pin down that the answer is the one reading every referral gives: the newest report with
 * a usable address wins, however far back it is.
 */
let t: TestDatabase
beforeAll(async () => {
  t = await createTestDatabase()
})
afterAll(() => t.drop())

/** Ingests one batch and runs the pipeline; the subject of its first referral. */
async function ingest(specs: ReferralSpec[]): Promise<string> {
  const { outcomes, refusals } = await ingestDocuments(
    t.db,
    INTAKE,
    specs.map((spec) => documentOf(leReport(spec))),
  )
  expect(refusals).toEqual([])
  await t.drain()
  const row = await t.db
    .selectFrom('referrals')
    .select('subject_id')
    .where('id', '=', outcomes[0]!.referralId!)
    .executeTakeFirstOrThrow()
  return row.subject_id!
}

const whereIs = (subjectId: string) =>
  t.db
    .selectFrom('subjects')
    .select(['status', 'force_id', 'postcode', 'location_reason'])
    .where('id', '=', subjectId)
    .executeTakeFirstOrThrow()

describe('locating a subject with many referrals', () => {
  it('finds an address five reports back when the newer ones give none, and then prefers a newer one', async () => {
    const email = 'many-reports@example.org'
    const subject = await ingest([{ email, postcode: 'DT1 1AA' }])
    // Five newer reports without an address, in two batches: the newest three say nothing.
    expect(
      await ingest([
        { email, postcode: null },
        { email, postcode: null },
      ]),
    ).toBe(subject)
    expect(
      await ingest([
        { email, postcode: null },
        { email, postcode: null },
        { email, postcode: null },
      ]),
    ).toBe(subject)
    expect(await whereIs(subject)).toMatchObject({
      status: 'located',
      force_id: 'dorset',
      postcode: 'DT1 1AA',
    })
    // A newer report with an address in Kent: the newest usable address wins.
    expect(await ingest([{ email, postcode: 'CT1 1AA' }])).toBe(subject)
    expect(await whereIs(subject)).toMatchObject({ status: 'located', force_id: 'kent', postcode: 'CT1 1AA' })
    // Newer reports without an address change nothing.
    expect(
      await ingest([
        { email, postcode: null },
        { email, postcode: null },
        { email, postcode: null },
      ]),
    ).toBe(subject)
    expect(await whereIs(subject)).toMatchObject({ force_id: 'kent', postcode: 'CT1 1AA' })
  })

  it('names every report address it could not place, not only the newest', async () => {
    const email = 'nowhere-many@example.org'
    // Postcodes whose districts are outside the force reference data (Channel Islands, Isle of Man).
    const subject = await ingest([{ email, postcode: 'GY1 1AA' }])
    await ingest([
      { email, postcode: 'IM1 1AA' },
      { email, postcode: null },
    ])
    await ingest([
      { email, postcode: null },
      { email, postcode: null },
    ])
    const where = await whereIs(subject)
    expect(where.status).toBe('unlocated')
    expect(where.location_reason).toContain('GY1 1AA')
    expect(where.location_reason).toContain('IM1 1AA')
  })
})
