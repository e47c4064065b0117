import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { UserActor } from '../src/access/model.js'
import { ingestDocuments } from '../src/intake/service.js'
import { enterSubjectAddress } from '../src/locating/service.js'
import { nationalFigures } from '../src/operations/figures.js'
import { recordOutcome } from '../src/outcomes/service.js'
import { packageContents } from '../src/packages/contents.js'
import { findPackage } from '../src/packages/repo.js'
import {
  acknowledgePackage,
  approvePackage,
  forceInbox,
  reviewQueue,
  viewPackage,
} from '../src/packages/service.js'
import { NotFoundError } from '../src/platform/errors.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { documentOf, INTAKE, knownHashes, leReport, makeUser } from './factories.js'

let t: TestDatabase
let analyst: UserActor
let dorset: UserActor
let kent: UserActor

beforeAll(async () => {
  t = await createTestDatabase()
  analyst = await makeUser(t.db, 'analyst', 'national_analyst')
  dorset = await makeUser(t.db, 'dorset.spoc', 'force_spoc', 'dorset')
  kent = await makeUser(t.db, 'kent.spoc', 'force_spoc', 'kent')
  await knownHashes(t.db, [
    { text: 'known-a', category: 'A' },
    { text: 'known-c', category: 'C' },
  ])
})
afterAll(() => t.drop())

async function ingest(...reports: Record<string, unknown>[]) {
  const result = await ingestDocuments(
    t.db,
    INTAKE,
    reports.map((r) => documentOf(r)),
  )
  expect(result.refusals).toEqual([])
  await t.drain()
  return result.outcomes
}

async function packageOfReport(reportId: number) {
  const row = await t.db
    .selectFrom('packages')
    .innerJoin('package_referrals', 'package_referrals.package_id', 'packages.id')
    .innerJoin('referrals', 'referrals.id', 'package_referrals.referral_id')
    .select([
      'packages.id',
      'packages.status',
      'packages.force_id',
      'packages.suggested_band',
      'packages.band_reasons',
    ])
    .where('referrals.source_reference', '=', String(reportId))
    .orderBy('packages.id', 'desc')
    .executeTakeFirst()
  return row
}

describe('the walking skeleton path', () => {
  it('takes a report from intake to a Dorset package with a band and its reasons', async () => {
    const report = leReport({
      email: 'Walker@Example.org',
      postcode: 'dt1 1aa',
      files: ['known-a', 'known-c', 'unknown'],
    })
    const [outcome] = await ingest(report)
    expect(outcome?.status).toBe('accepted')
    const pkg = await packageOfReport(report.reportId as number)
    expect(pkg).toMatchObject({ status: 'awaiting_review', force_id: 'dorset', suggested_band: 'high' })
    const rules = (pkg!.band_reasons as { rule: string }[]).map((r) => r.rule)
    expect(rules).toContain('category-a')
    const queue = await reviewQueue(t.db, analyst)
    expect(queue.map((p) => p.id)).toContain(pkg!.id)
  })

  it('accepts a report once: a resend is a duplicate and stores nothing new', async () => {
    const report = leReport({ email: 'once@example.org', postcode: 'DT1 1AA' })
    await ingest(report)
    const before = await t.db
      .selectFrom('referral_documents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    const [again] = await ingest(report)
    expect(again).toMatchObject({ status: 'duplicate', changed: false })
    const after = await t.db
      .selectFrom('referral_documents')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(after.n).toBe(before.n)
  })

  it('links referrals sharing a phone in different spellings into one subject and one package', async () => {
    const first = leReport({ phone: '07700 900555', postcode: 'DT1 1AA' })
    const second = leReport({
      phone: '+447700900555',
      postcode: 'DT1 1AA',
      account: { platform: 'Sample Social', id: 'x1' },
    })
    await ingest(first)
    await ingest(second)
    const subjects = await t.db
      .selectFrom('referrals')
      .select('subject_id')
      .where('source_reference', 'in', [String(first.reportId), String(second.reportId)])
      .execute()
    expect(new Set(subjects.map((s) => s.subject_id)).size).toBe(1)
    const a = await packageOfReport(first.reportId as number)
    const b = await packageOfReport(second.reportId as number)
    expect(a?.id).toBe(b?.id)
  })

  it('does not link on a shared IP address alone', async () => {
    // Both factory reports carry 192.0.2.10: an IP without port and provider records is not a person.
    const one = leReport({ email: 'ip-one@example.org', postcode: 'DT1 1AA' })
    const two = leReport({ email: 'ip-two@example.org', postcode: 'DT1 1AA' })
    await ingest(one, two)
    const subjects = await t.db
      .selectFrom('referrals')
      .select('subject_id')
      .where('source_reference', 'in', [String(one.reportId), String(two.reportId)])
      .execute()
    expect(new Set(subjects.map((s) => s.subject_id)).size).toBe(2)
  })

  it('queues a subject without an address as unresolved until an analyst enters one', async () => {
    const report = leReport({ email: 'nowhere@example.org', postcode: null })
    await ingest(report)
    const referral = await t.db
      .selectFrom('referrals')
      .select(['subject_id', 'status'])
      .where('source_reference', '=', String(report.reportId))
      .executeTakeFirstOrThrow()
    expect(referral.status).toBe('unlocated')
    expect(await packageOfReport(report.reportId as number)).toBeUndefined()
    await enterSubjectAddress(t.db, analyst, referral.subject_id!, {
      street: null,
      city: null,
      postcode: 'ME14 1XX',
    })
    await t.drain()
    const pkg = await packageOfReport(report.reportId as number)
    expect(pkg?.force_id).toBe('kent')
    const after = await t.db
      .selectFrom('referrals')
      .select('status')
      .where('source_reference', '=', String(report.reportId))
      .executeTakeFirstOrThrow()
    expect(after.status).toBe('triaged')
  })

  it('grows the package awaiting review one referral at a time, holding each once and all triaged', async () => {
    const reports = [0, 1, 2].map((k) =>
      leReport({ email: 'grows@example.org', postcode: 'DT1 1AA', phone: `07700 90012${k}` }),
    )
    for (const report of reports) await ingest(report)
    const pkg = await packageOfReport(reports[0]!.reportId as number)
    const members = await t.db
      .selectFrom('package_referrals')
      .innerJoin('referrals', 'referrals.id', 'package_referrals.referral_id')
      .select(['referrals.source_reference', 'referrals.status'])
      .where('package_referrals.package_id', '=', pkg!.id)
      .orderBy('referrals.id')
      .execute()
    expect(members).toEqual(reports.map((r) => ({ source_reference: String(r.reportId), status: 'triaged' })))
    const packages = await t.db
      .selectFrom('packages')
      .innerJoin('package_referrals', 'package_referrals.package_id', 'packages.id')
      .innerJoin('referrals', 'referrals.id', 'package_referrals.referral_id')
      .select('packages.id')
      .distinct()
      .where(
        'referrals.source_reference',
        'in',
        reports.map((r) => String(r.reportId)),
      )
      .execute()
    expect(packages).toHaveLength(1)
  })

  it('sends an approved package to its force only, and records the force outcomes into the figures', async () => {
    const report = leReport({ email: 'approve@example.org', postcode: 'BH15 1AA', files: ['known-c'] })
    await ingest(report)
    const pkg = (await packageOfReport(report.reportId as number))!
    expect(pkg.force_id).toBe('dorset')
    // The force cannot see it before approval.
    expect(await findPackage(t.db, dorset, pkg.id)).toBeUndefined()
    await expect(approvePackage(t.db, analyst, pkg.id, { band: 'very_high', reason: '' })).rejects.toThrow(
      /reason/,
    )
    await approvePackage(t.db, analyst, pkg.id, {
      band: 'high',
      reason: 'Access to children in the household',
    })
    expect((await forceInbox(t.db, dorset)).map((p) => p.id)).toContain(pkg.id)
    expect((await forceInbox(t.db, kent)).map((p) => p.id)).not.toContain(pkg.id)
    await expect(viewPackage(t.db, kent, pkg.id)).rejects.toBeInstanceOf(NotFoundError)

    const before = await nationalFigures(t.db)
    await acknowledgePackage(t.db, dorset, pkg.id)
    await recordOutcome(t.db, dorset, pkg.id, { kind: 'arrest', occurredOn: '2026-11-20' })
    await recordOutcome(t.db, dorset, pkg.id, {
      kind: 'charge',
      occurredOn: '2026-11-21',
      offence: 'Possession of indecent photographs of a child',
    })
    await recordOutcome(t.db, dorset, pkg.id, {
      kind: 'children_safeguarded',
      occurredOn: '2026-11-21',
      children: 2,
    })
    await expect(
      recordOutcome(t.db, kent, pkg.id, { kind: 'arrest', occurredOn: '2026-11-20' }),
    ).rejects.toBeInstanceOf(NotFoundError)
    const after = await nationalFigures(t.db)
    expect(after.totals.peopleArrested - before.totals.peopleArrested).toBe(1)
    expect(after.totals.peopleCharged - before.totals.peopleCharged).toBe(1)
    expect(after.totals.childrenSafeguarded - before.totals.childrenSafeguarded).toBe(2)
    const dorsetFigures = after.byForce.find((f) => f.forceId === 'dorset')!
    expect(dorsetFigures).toMatchObject({ acknowledged: 1, peopleArrested: 1, childrenSafeguarded: 2 })
    expect(after.byForce).toHaveLength(45)
  })

  it('tells a package which other forces hold one sharing an identifier, whatever role it had there', async () => {
    // Kent's package names a phone for the person its suspect messaged; Dorset's suspect has that phone.
    // They are two subjects (linking uses reported persons only), but Dorset must learn that Kent holds one.
    const kentReport = leReport({ email: 'deconf-kent@example.org', postcode: 'CT1 1AA' })
    ;(kentReport.reportedInformation as Record<string, unknown>).intendedRecipients = {
      intendedRecipients: [{ screenName: 'recipient', phones: { phones: [{ value: '07700 900777' }] } }],
    }
    await ingest(kentReport)
    const kentPackage = (await packageOfReport(kentReport.reportId as number))!
    expect(kentPackage.force_id).toBe('kent')
    await approvePackage(t.db, analyst, kentPackage.id, {
      band: kentPackage.suggested_band!,
      reason: '',
    })
    const dorsetReport = leReport({ phone: '+447700900777', postcode: 'DT1 1AA' })
    await ingest(dorsetReport)
    const dorsetPackage = (await packageOfReport(dorsetReport.reportId as number))!
    expect(dorsetPackage.force_id).toBe('dorset')
    expect(dorsetPackage.id).not.toBe(kentPackage.id)
    const contents = await packageContents(t.db, dorsetPackage.id, 'dorset')
    expect(contents.deconfliction).toEqual([{ forceName: expect.stringMatching(/Kent/), packages: 1 }])
    // Who, never what: nothing of Kent's package is in Dorset's.
    expect(contents.referrals.map((r) => r.sourceReference)).toEqual([String(dorsetReport.reportId)])
  })

  it('drafts version 2 for a new referral after version 1 went out, and nothing new when only locating runs again', async () => {
    const first = leReport({ email: 'second-version@example.org', postcode: 'DT1 1AA' })
    await ingest(first)
    const v1 = (await packageOfReport(first.reportId as number))!
    await approvePackage(t.db, analyst, v1.id, { band: v1.suggested_band, reason: '' })
    const later = leReport({ email: 'second-version@example.org', postcode: 'DT1 1AA' })
    await ingest(later)
    const v2 = (await packageOfReport(later.reportId as number))!
    expect(v2.id).not.toBe(v1.id)
    expect(v2.status).toBe('awaiting_review')
    const packages = await t.db
      .selectFrom('packages')
      .select(['id', 'version', 'status'])
      .where(
        'subject_id',
        '=',
        (
          await t.db
            .selectFrom('packages')
            .select('subject_id')
            .where('id', '=', v1.id)
            .executeTakeFirstOrThrow()
        ).subject_id,
      )
      .orderBy('version')
      .execute()
    expect(packages.map((p) => p.version)).toEqual([1, 2])
    // An analyst entering an address re-runs locating and drafting: no new referral, no version 3.
    await approvePackage(t.db, analyst, v2.id, { band: v2.suggested_band, reason: '' })
    const subjectId = (
      await t.db.selectFrom('packages').select('subject_id').where('id', '=', v2.id).executeTakeFirstOrThrow()
    ).subject_id
    await enterSubjectAddress(t.db, analyst, subjectId, { street: null, city: null, postcode: 'DT1 1AA' })
    await t.drain()
    const after = await t.db
      .selectFrom('packages')
      .select('version')
      .where('subject_id', '=', subjectId)
      .execute()
    expect(after.map((p) => p.version).sort()).toEqual([1, 2])
  })

  it('replaces a re-sent report with its new version in the package awaiting review', async () => {
    const first = leReport({ email: 'resent@example.org', postcode: 'DT1 1AA' })
    await ingest(first)
    const [again] = await ingest({
      ...first,
      informational: true,
      reportedInformation: {
        ...(first.reportedInformation as object),
        incidentSummary: { incidentType: 'x', espEscalation: 'Child may be at risk' },
      },
    })
    expect(again?.status).toBe('accepted')
    const versions = await t.db
      .selectFrom('referrals')
      .select(['id', 'version', 'supersedes_referral_id'])
      .where('source_reference', '=', String(first.reportId))
      .orderBy('version')
      .execute()
    expect(versions.map((v) => v.version)).toEqual([1, 2])
    expect(versions[1]!.supersedes_referral_id).toBe(versions[0]!.id)
    const pkg = (await packageOfReport(first.reportId as number))!
    const members = await t.db
      .selectFrom('package_referrals')
      .select('referral_id')
      .where('package_id', '=', pkg.id)
      .execute()
    expect(members.map((m) => m.referral_id)).toEqual([versions[1]!.id])
    expect(pkg.suggested_band).toBe('very_high')
  })

  it('audits every view of a package in the same transaction, and not a view that was refused', async () => {
    const report = leReport({ email: 'audit@example.org', postcode: 'DT1 1AA' })
    await ingest(report)
    const pkg = (await packageOfReport(report.reportId as number))!
    const views = () =>
      t.db
        .selectFrom('audit_events')
        .select('actor_label')
        .where('action', '=', 'package.viewed')
        .where('record_id', '=', pkg.id)
        .execute()
    await viewPackage(t.db, analyst, pkg.id)
    await expect(viewPackage(t.db, kent, pkg.id)).rejects.toBeInstanceOf(NotFoundError)
    expect((await views()).map((v) => v.actor_label)).toEqual(['analyst'])
  })
})
