import { sql } from 'kysely'
import { systemActor } from '../access/model.js'
import { type AuditEntry, recordAuditMany } from '../audit/service.js'
import type { Tx } from '../platform/db.js'
import { restoreRowTriggers, skipRowTriggers } from '../platform/row-triggers.js'
import { planLinks } from './linking.js'
import {
  attachReferrals,
  batchIdentifiers,
  createSubjects,
  liveSubjects,
  mergeSubjects,
  saveIdentifierLinks,
  unresolvedOf,
} from './resolve-repo.js'

const RESOLVER = systemActor('resolver')
// Resolution reads then writes across subjects and identifier_links; one resolver at a time keeps two
// jobs from each creating a subject for the same person, and makes it the links' only writer.
const RESOLVE_LOCK = 7_240_332

/**
 * Links each referral to a subject: referrals whose reported person shares an exact normalised
 * e-mail, phone or platform account are one subject; IPs, devices, screen names and what a report
 * says of anyone else (recipients, children) never link, and an identifier named in more than
 * OVER_LINKED_REFERRALS referrals, in any role (a support address, a placeholder), is not used
 * (`planLinks`). The whole batch is resolved at once, a handful of statements whatever its size:
 * subjects joined by a referral merge, the oldest surviving. Returns the subjects touched.
 */
export async function resolveReferrals(tx: Tx, referralIds: readonly string[]): Promise<string[]> {
  await sql`select pg_advisory_xact_lock(${RESOLVE_LOCK})`.execute(tx)
  const unresolved = await unresolvedOf(tx, referralIds)
  if (unresolved.length === 0) return []
  const rows = await batchIdentifiers(tx, unresolved)
  const live = await liveSubjects(tx, [...new Set(rows.flatMap((r) => (r.subjectId ? [r.subjectId] : [])))])
  for (const row of rows) if (row.subjectId !== null) row.subjectId = live.get(row.subjectId) ?? null
  const plan = planLinks(unresolved, rows)
  // Every key written below is a subject (never deleted) or a row of this transaction: no per-row checks.
  const skipped = await skipRowTriggers(tx)
  const fresh = await createSubjects(tx, plan.groups.filter((g) => g.subjects.length === 0).length)
  const audit: AuditEntry[] = []
  const merges: { from: string; into: string }[] = []
  const attach: { referralId: string; subjectId: string }[] = []
  const subjectOfIdentifier = new Map<string, string>()
  const touched: string[] = []
  for (const group of plan.groups) {
    // The oldest subject survives, so references already given out stay valid.
    const subjectId = group.subjects[0] ?? fresh.shift()!
    if (group.subjects.length === 0) {
      const first = group.referrals[0]!
      audit.push({
        action: 'subject.created',
        recordType: 'subject',
        recordId: subjectId,
        details: { fromReferral: first, cappedIdentifiers: plan.capped.get(first) ?? [] },
      })
    }
    for (const other of group.subjects.slice(1)) {
      merges.push({ from: other, into: subjectId })
      audit.push({
        action: 'subject.merged',
        recordType: 'subject',
        recordId: subjectId,
        details: { merged: other, throughReferral: group.referrals[0] },
      })
    }
    for (const referralId of group.referrals) {
      attach.push({ referralId, subjectId })
      audit.push({
        action: 'referral.linked',
        recordType: 'referral',
        recordId: referralId,
        details: { subject: subjectId, sharedIdentifiers: plan.shared.get(referralId) ?? [] },
      })
    }
    for (const identifierId of group.identifiers) subjectOfIdentifier.set(identifierId, subjectId)
    touched.push(subjectId)
  }
  await mergeSubjects(tx, merges)
  await attachReferrals(tx, attach)
  await saveIdentifierLinks(
    tx,
    [...plan.counts]
      .map(([identifierId, count]) => ({
        identifierId,
        referrals: count.referrals,
        subjectId: subjectOfIdentifier.get(identifierId) ?? count.subjectId,
      }))
      .sort((a, b) => Number(a.identifierId) - Number(b.identifierId)),
  )
  // The audit rows too: a system actor names no user or token, and subjects are never deleted.
  await recordAuditMany(tx, RESOLVER, audit)
  await restoreRowTriggers(tx, skipped)
  return touched
}
