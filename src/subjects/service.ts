import { sql } from 'kysely'
import { systemActor } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import type { Tx } from '../platform/db.js'
import {
  attachReferral,
  createSubject,
  linkingIdentifiersOf,
  mergeSubject,
  OVER_LINKED_REFERRALS,
  subjectsSharing,
  unresolvedReferrals,
} from './repo.js'

const RESOLVER = systemActor('resolver')
// Resolution reads then writes across subjects; one resolver at a time keeps two jobs from each
// creating a subject for the same person.
const RESOLVE_LOCK = 7_240_332

/**
 * Links each referral to a subject: referrals whose reported person shares an exact normalised
 * e-mail, phone or platform account are one subject. Returns the subjects touched.
 */
export async function resolveReferrals(tx: Tx, referralIds: readonly string[]): Promise<string[]> {
  await sql`select pg_advisory_xact_lock(${RESOLVE_LOCK})`.execute(tx)
  const touched = new Set<string>()
  for (const { id: referralId } of await unresolvedReferrals(tx, referralIds)) {
    const identifiers = await linkingIdentifiersOf(tx, referralId)
    const usable = identifiers.filter((i) => i.referrals <= OVER_LINKED_REFERRALS)
    const capped = identifiers.filter((i) => i.referrals > OVER_LINKED_REFERRALS)
    const subjects = await subjectsSharing(
      tx,
      usable.map((i) => i.identifierId),
      referralId,
    )
    let subjectId: string
    if (subjects.length === 0) {
      subjectId = await createSubject(tx)
      await recordAudit(tx, RESOLVER, {
        action: 'subject.created',
        recordType: 'subject',
        recordId: subjectId,
        details: { fromReferral: referralId, cappedIdentifiers: capped.map((c) => c.identifierId) },
      })
    } else {
      // The oldest subject survives, so references already given out stay valid.
      subjectId = subjects[0]!
      for (const other of subjects.slice(1)) {
        await mergeSubject(tx, other, subjectId)
        touched.delete(other)
        await recordAudit(tx, RESOLVER, {
          action: 'subject.merged',
          recordType: 'subject',
          recordId: subjectId,
          details: { merged: other, throughReferral: referralId },
        })
      }
    }
    await attachReferral(tx, referralId, subjectId)
    await recordAudit(tx, RESOLVER, {
      action: 'referral.linked',
      recordType: 'referral',
      recordId: referralId,
      details: {
        subject: subjectId,
        sharedIdentifiers: usable
          .filter((i) => i.referrals > 1)
          .map((i) => ({ kind: i.kind, id: i.identifierId })),
      },
    })
    touched.add(subjectId)
  }
  return [...touched]
}
