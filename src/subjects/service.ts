import { sql } from 'kysely'
import { systemActor } from '../access/model.js'
import { type AuditEntry, recordAuditMany } from '../audit/service.js'
import type { Tx } from '../platform/db.js'
import { restoreRowTriggers, skipRowTriggers } from '../platform/row-triggers.js'
import { OVER_LINKED_REFERRALS } from './repo.js'
import {
  attachReferrals,
  createSubjects,
  linkingIdentifiersOfBatch,
  mergeSubjects,
  subjectsByIdentifier,
  unresolvedOf,
} from './resolve-repo.js'

const RESOLVER = systemActor('resolver')
// Resolution reads then writes across subjects; one resolver at a time keeps two jobs from each
// creating a subject for the same person.
const RESOLVE_LOCK = 7_240_332

/** Union-find over referral and subject nodes ('r1', 's7'): who ends up as one person. */
class Components {
  private readonly parent = new Map<string, string>()
  find(node: string): string {
    let root = node
    while (this.parent.has(root) && this.parent.get(root) !== root) root = this.parent.get(root)!
    this.parent.set(node, root)
    return root
  }
  join(a: string, b: string) {
    const [x, y] = [this.find(a), this.find(b)]
    if (x !== y) this.parent.set(x, y)
  }
}

/**
 * Links each referral to a subject: referrals whose reported person shares an exact normalised
 * e-mail, phone or platform account are one subject; IPs, devices, screen names and what a report
 * says of anyone else (recipients, children) never link, and an identifier named in more than
 * OVER_LINKED_REFERRALS referrals, in any role (a support address, a placeholder), is not used. The whole batch is resolved at once — a handful of statements whatever its size — with the
 * same result as one referral at a time: subjects joined by a referral merge, the oldest surviving.
 * Returns the subjects touched.
 */
export async function resolveReferrals(tx: Tx, referralIds: readonly string[]): Promise<string[]> {
  await sql`select pg_advisory_xact_lock(${RESOLVE_LOCK})`.execute(tx)
  const unresolved = await unresolvedOf(tx, referralIds)
  if (unresolved.length === 0) return []
  const links = await linkingIdentifiersOfBatch(tx, unresolved)
  const usable = links.filter((l) => l.referrals <= OVER_LINKED_REFERRALS)
  const components = new Components()
  for (const link of usable) components.join(`r${link.referralId}`, `i${link.identifierId}`)
  // An identifier named by one referral only (this one) can have no subject yet.
  const shared = usable.filter((l) => l.referrals > 1).map((l) => l.identifierId)
  const sharing = await subjectsByIdentifier(tx, [...new Set(shared)])
  for (const row of sharing) components.join(`s${row.subjectId}`, `i${row.identifierId}`)
  // Each component's subjects, oldest first, and its referrals.
  const groups = new Map<string, { subjects: Set<string>; referrals: string[] }>()
  const groupOf = (node: string) => {
    const root = components.find(node)
    const group = groups.get(root) ?? { subjects: new Set<string>(), referrals: [] }
    groups.set(root, group)
    return group
  }
  for (const id of unresolved) groupOf(`r${id}`).referrals.push(id)
  for (const row of sharing) groupOf(`s${row.subjectId}`).subjects.add(row.subjectId)
  const live = [...groups.values()].filter((g) => g.referrals.length > 0)
  // Every key written below is a subject (never deleted) or a row of this transaction: no per-row checks.
  const skipped = await skipRowTriggers(tx)
  const fresh = await createSubjects(tx, live.filter((g) => g.subjects.size === 0).length)
  const audit: AuditEntry[] = []
  const merges: { from: string; into: string }[] = []
  const attach: { referralId: string; subjectId: string }[] = []
  const touched: string[] = []
  const capped = new Map<string, string[]>()
  for (const l of links)
    if (l.referrals > OVER_LINKED_REFERRALS) {
      const list = capped.get(l.referralId) ?? []
      list.push(l.identifierId)
      capped.set(l.referralId, list)
    }
  const cappedOf = (referralId: string) => capped.get(referralId) ?? []
  const sharedOf = new Map<string, { kind: string; id: string }[]>()
  for (const l of usable) {
    if (l.referrals <= 1) continue
    const list = sharedOf.get(l.referralId) ?? []
    list.push({ kind: l.kind, id: l.identifierId })
    sharedOf.set(l.referralId, list)
  }
  for (const group of live) {
    const existing = [...group.subjects].sort((a, b) => Number(a) - Number(b))
    // The oldest subject survives, so references already given out stay valid.
    const subjectId = existing[0] ?? fresh.shift()!
    if (existing.length === 0) {
      const first = group.referrals[0]!
      audit.push({
        action: 'subject.created',
        recordType: 'subject',
        recordId: subjectId,
        details: { fromReferral: first, cappedIdentifiers: cappedOf(first) },
      })
    }
    for (const other of existing.slice(1)) {
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
        details: { subject: subjectId, sharedIdentifiers: sharedOf.get(referralId) ?? [] },
      })
    }
    touched.push(subjectId)
  }
  await mergeSubjects(tx, merges)
  await attachReferrals(tx, attach)
  // The audit rows too: a system actor names no user or token, and subjects are never deleted.
  await recordAuditMany(tx, RESOLVER, audit)
  await restoreRowTriggers(tx, skipped)
  return touched
}
