import { sql } from 'kysely'
import type { Actor } from '../access/model.js'
import { isNational } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import type { Db } from '../platform/db.js'
import { NotFoundError } from '../platform/errors.js'

/**
 * A subject as the national bureau sees it: its referrals, identifiers and location, with the
 * reasons for each link. Forces see subjects only through the packages sent to them, so for them a
 * subject page does not exist (404).
 */
export async function viewSubject(db: Db, actor: Actor, subjectId: string) {
  if (!isNational(actor)) throw new NotFoundError('subject', subjectId)
  return db.transaction().execute(async (tx) => {
    const subject = await tx
      .selectFrom('subjects')
      .leftJoin('forces', 'forces.id', 'subjects.force_id')
      .select([
        'subjects.id',
        'subjects.reference',
        'subjects.status',
        'subjects.postcode',
        'subjects.location_method as locationMethod',
        'subjects.location_confidence as locationConfidence',
        'subjects.location_reason as locationReason',
        'subjects.merged_into as mergedInto',
        'forces.name as forceName',
      ])
      .where('subjects.id', '=', subjectId)
      .executeTakeFirst()
    if (!subject) throw new NotFoundError('subject', subjectId)
    const referrals = await tx
      .selectFrom('referrals')
      .select([
        'id',
        'source_reference as sourceReference',
        'received_at as receivedAt',
        'platform',
        'status',
      ])
      .where('subject_id', '=', subjectId)
      .orderBy('received_at')
      .execute()
    const ids = referrals.map((r) => r.id)
    const identifiers = await sql<{ kind: string; value: string; referrals: number; linking: boolean }>`
      select i.kind, i.value, count(distinct ri.referral_id)::int as referrals,
        bool_or(ri.normalised and i.kind in ('email', 'phone', 'account')) as linking
      from referral_identifiers ri join identifiers i on i.id = ri.identifier_id
      where ri.referral_id = any(${ids}::bigint[]) and ri.role = 'reported_person'
      group by i.kind, i.value order by count(distinct ri.referral_id) desc, i.kind, i.value`.execute(tx)
    const addresses = await tx
      .selectFrom('subject_addresses')
      .innerJoin('users', 'users.id', 'subject_addresses.entered_by')
      .select(['street', 'city', 'postcode', 'entered_at as enteredAt', 'users.display_name as enteredBy'])
      .where('subject_id', '=', subjectId)
      .orderBy('entered_at', 'desc')
      .execute()
    const packages = await tx
      .selectFrom('packages')
      .innerJoin('forces', 'forces.id', 'packages.force_id')
      .select([
        'packages.id',
        'packages.reference',
        'packages.status',
        'packages.band',
        'forces.name as forceName',
        'packages.version',
      ])
      .where('subject_id', '=', subjectId)
      .orderBy('packages.id')
      .execute()
    await recordAudit(tx, actor, { action: 'subject.viewed', recordType: 'subject', recordId: subjectId })
    return { subject, referrals, identifiers: identifiers.rows, addresses, packages }
  })
}
