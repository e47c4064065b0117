import { systemActor } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import type { Tx } from '../platform/db.js'
import { assessSubject } from '../triage/service.js'

const TRIAGE = systemActor('triage')

/**
 * Puts each located subject's package in the analysts' review queue with a suggested band and its
 * reasons. A subject has at most one package awaiting review: new referrals update it. Once a
 * package is disseminated, later referrals make a new version for review.
 */
export async function draftPackages(tx: Tx, subjectIds: readonly string[]): Promise<void> {
  for (const subjectId of subjectIds) {
    const subject = await tx
      .selectFrom('subjects')
      .select(['id', 'force_id', 'merged_into'])
      .where('id', '=', subjectId)
      .executeTakeFirst()
    if (!subject?.force_id || subject.merged_into !== null) continue
    const suggestion = await assessSubject(tx, subjectId)
    const operation = await tx
      .selectFrom('referrals')
      .select('operation_id')
      .where('subject_id', '=', subjectId)
      .where('operation_id', 'is not', null)
      .orderBy('id', 'desc')
      .executeTakeFirst()
    const reasons = JSON.stringify(suggestion.reasons)
    const open = await tx
      .selectFrom('packages')
      .select(['id', 'band_change_reason', 'version'])
      .where('subject_id', '=', subjectId)
      .where('status', '=', 'awaiting_review')
      .executeTakeFirst()
    let packageId: string
    if (open) {
      packageId = open.id
      await tx
        .updateTable('packages')
        .set({
          force_id: subject.force_id,
          suggested_band: suggestion.band,
          band_reasons: reasons,
          // An analyst's own band stands until they change it again.
          ...(open.band_change_reason === null ? { band: suggestion.band } : {}),
        })
        .where('id', '=', open.id)
        .execute()
    } else {
      const sent = await tx
        .selectFrom('package_referrals')
        .innerJoin('packages', 'packages.id', 'package_referrals.package_id')
        .select('package_referrals.referral_id')
        .where('packages.subject_id', '=', subjectId)
        .where('packages.status', '<>', 'closed')
        .execute()
      const sentIds = new Set(sent.map((r) => r.referral_id))
      // Nothing new since the last version went out (e.g. locating ran again): no new version.
      if (suggestion.referralIds.every((id) => sentIds.has(id))) continue
      const previous = await tx
        .selectFrom('packages')
        .select((eb) => eb.fn.max('version').as('version'))
        .where('subject_id', '=', subjectId)
        .executeTakeFirst()
      const row = await tx
        .insertInto('packages')
        .values({
          subject_id: subjectId,
          force_id: subject.force_id,
          operation_id: operation?.operation_id ?? null,
          suggested_band: suggestion.band,
          band: suggestion.band,
          band_reasons: reasons,
          version: (previous?.version ?? 0) + 1,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      packageId = row.id
    }
    await tx
      .insertInto('package_referrals')
      .values(
        suggestion.referralIds.map((referralId) => ({ package_id: packageId, referral_id: referralId })),
      )
      .onConflict((oc) => oc.doNothing())
      .execute()
    await tx
      .updateTable('referrals')
      .set({ status: 'triaged' })
      .where('id', 'in', suggestion.referralIds)
      .execute()
    await recordAudit(tx, TRIAGE, {
      action: open ? 'package.updated' : 'package.drafted',
      recordType: 'package',
      recordId: packageId,
      forceId: subject.force_id,
      details: { suggestedBand: suggestion.band, rules: suggestion.reasons.map((r) => r.rule) },
    })
  }
}
