import { sql } from 'kysely'
import { systemActor } from '../access/model.js'
import { type AuditEntry, recordAuditMany } from '../audit/service.js'
import { anyId, type Tx } from '../platform/db.js'
import { restoreRowTriggers, skipRowTriggers } from '../platform/row-triggers.js'
import { assessSubjects } from '../triage/batch.js'

const TRIAGE = systemActor('triage')

/**
 * Puts each located subject's package in the analysts' review queue with a suggested band and its
 * reasons. A subject has at most one package awaiting review: new referrals update it. Once a
 * package is disseminated, later referrals make a new version for review. The batch is read and
 * written in a fixed number of statements.
 */
export async function draftPackages(tx: Tx, subjectIds: readonly string[]): Promise<void> {
  const subjects = await tx
    .selectFrom('subjects')
    .select(['id', 'force_id'])
    .where('id', '=', anyId(subjectIds))
    .where('force_id', 'is not', null)
    .where('merged_into', 'is', null)
    .orderBy('id')
    .execute()
  if (subjects.length === 0) return
  const ids = subjects.map((s) => s.id)
  const assessments = await assessSubjects(tx, ids)
  const open = new Map(
    (
      await tx
        .selectFrom('packages')
        .select(['id', 'subject_id', 'band_change_reason'])
        .where('subject_id', '=', anyId(ids))
        .where('status', '=', 'awaiting_review')
        .execute()
    ).map((p) => [p.subject_id, p]),
  )
  // Driven subject by subject through packages_subject: a join would read every package ever sent.
  const sent = (
    await sql<{ subject_id: string; referral_id: string }>`
      select p.subject_id, pr.referral_id
      from unnest(${ids}::bigint[]) as s(id)
      join lateral (select id, subject_id from packages
        where subject_id = s.id and status not in ('closed', 'awaiting_review') offset 0) p on true
      join lateral (select referral_id from package_referrals where package_id = p.id offset 0) pr on true`.execute(
      tx,
    )
  ).rows
  const sentOf = new Set(sent.map((r) => `${r.subject_id}/${r.referral_id}`))
  const versions = new Map(
    (
      await sql<{ subject_id: string; version: number }>`
        select s.id as subject_id, v.version from unnest(${ids}::bigint[]) as s(id)
        join lateral (select max(version)::int as version from packages where subject_id = s.id) v
          on v.version is not null`.execute(tx)
    ).rows.map((v) => [v.subject_id, v.version]),
  )
  const updates: { id: string; subjectId: string }[] = []
  const creates: { subjectId: string; forceId: string }[] = []
  for (const s of subjects) {
    const a = assessments.get(s.id)!
    if (open.has(s.id)) updates.push({ id: open.get(s.id)!.id, subjectId: s.id })
    // Nothing new since the last version went out (e.g. locating ran again): no new version.
    else if (!a.referralIds.every((id) => sentOf.has(`${s.id}/${id}`)))
      creates.push({ subjectId: s.id, forceId: s.force_id! })
  }
  const force = new Map(subjects.map((s) => [s.id, s.force_id!]))
  // The keys written are subjects, forces, operations, packages and referrals, none ever deleted, or
  // packages this transaction inserts: no per-row checks.
  const skipped = await skipRowTriggers(tx)
  if (updates.length > 0) {
    const u = updates.map((p) => ({ p, a: assessments.get(p.subjectId)! }))
    await sql`update packages p set force_id = x.force_id, suggested_band = x.band::band, band_reasons = x.reasons,
        -- An analyst's own band stands until they change it again.
        band = case when p.band_change_reason is null then x.band::band else p.band end
      from unnest(${u.map((x) => x.p.id)}::bigint[], ${u.map((x) => force.get(x.p.subjectId))}::text[],
        ${u.map((x) => x.a.band)}::text[], ${u.map((x) => JSON.stringify(x.a.reasons))}::jsonb[])
        as x(id, force_id, band, reasons)
      where p.id = x.id`.execute(tx)
  }
  const created = creates.length
    ? await tx
        .insertInto('packages')
        .values(
          creates.map((c) => {
            const a = assessments.get(c.subjectId)!
            return {
              subject_id: c.subjectId,
              force_id: c.forceId,
              operation_id: a.operationId,
              suggested_band: a.band,
              band: a.band,
              band_reasons: JSON.stringify(a.reasons),
              version: (versions.get(c.subjectId) ?? 0) + 1,
            }
          }),
        )
        .returning(['id', 'subject_id'])
        .execute()
    : []
  const packageOf = new Map([
    ...updates.map((u) => [u.subjectId, u.id] as const),
    ...created.map((c) => [c.subject_id, c.id] as const),
  ])
  // A package awaiting review holds only current versions: a report replaced since it was drafted
  // leaves it (disseminated packages are records of what was sent and never change).
  const reviewed = [...packageOf]
    .filter(([subjectId]) => open.has(subjectId))
    .map(([, packageId]) => packageId)
  const held = new Set<string>()
  if (reviewed.length > 0) {
    await sql`delete from package_referrals pr using referrals r
      where pr.package_id = any(${reviewed}::bigint[]) and r.id = pr.referral_id
        and exists (select 1 from referrals newer where newer.supersedes_referral_id = r.id)`.execute(tx)
    // What the open packages already hold: a subject's package grows by a referral or two a batch,
    // and writing (or probing) every member again made drafting's cost grow with the subject.
    const rows = await sql<{ package_id: string; referral_id: string }>`
      select package_id, referral_id from package_referrals where package_id = any(${reviewed}::bigint[])`.execute(
      tx,
    )
    for (const row of rows.rows) held.add(`${row.package_id}/${row.referral_id}`)
  }
  const members = [...packageOf]
    .flatMap(([subjectId, packageId]) =>
      assessments.get(subjectId)!.referralIds.map((referralId) => ({ packageId, referralId })),
    )
    .filter((m) => !held.has(`${m.packageId}/${m.referralId}`))
  if (members.length > 0) {
    await sql`insert into package_referrals (package_id, referral_id)
      select * from unnest(${members.map((m) => m.packageId)}::bigint[], ${members.map((m) => m.referralId)}::bigint[])
      on conflict do nothing`.execute(tx)
    await sql`update referrals set status = 'triaged'
      where id = any(${members.map((m) => m.referralId)}::bigint[]) and status <> 'triaged'`.execute(tx)
  }
  const audit: AuditEntry[] = [...packageOf].map(([subjectId, packageId]) => {
    const a = assessments.get(subjectId)!
    return {
      action: open.has(subjectId) ? 'package.updated' : 'package.drafted',
      recordType: 'package',
      recordId: packageId,
      forceId: force.get(subjectId)!,
      details: { suggestedBand: a.band, rules: a.reasons.map((r) => r.rule) },
    }
  })
  // The audit rows too: a system actor names no user or token, and forces are never deleted.
  await recordAuditMany(tx, TRIAGE, audit)
  await restoreRowTriggers(tx, skipped)
}
