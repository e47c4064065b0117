import { sql } from 'kysely'
import type { Queryable } from '../platform/db.js'
import { LINKING_KINDS } from './normalise.js'

/**
 * An identifier seen in more referrals than this is shared (a platform's support address, a
 * placeholder like test@test.com, a family phone) and is shown but not used to link.
 */
export const OVER_LINKED_REFERRALS = 25

export interface LinkingIdentifier {
  identifierId: string
  kind: string
  value: string
  referrals: number
}

/** The reported person's e-mails, phones and accounts in a referral, with how widely each is seen. */
export async function linkingIdentifiersOf(db: Queryable, referralId: string): Promise<LinkingIdentifier[]> {
  const result = await sql<LinkingIdentifier>`
    select i.id as "identifierId", i.kind, i.value,
      (select count(distinct ri2.referral_id)::int from referral_identifiers ri2 where ri2.identifier_id = i.id) as referrals
    from referral_identifiers ri
    join identifiers i on i.id = ri.identifier_id
    where ri.referral_id = ${referralId} and ri.normalised and ri.role = 'reported_person'
      and i.kind = any(${LINKING_KINDS as string[]}::text[])
    group by i.id, i.kind, i.value`.execute(db)
  return result.rows
}

/** Live (not merged-away) subjects of other referrals that share any of these identifiers. */
export async function subjectsSharing(
  db: Queryable,
  identifierIds: readonly string[],
  exceptReferral: string,
) {
  if (identifierIds.length === 0) return []
  const result = await sql<{ subjectId: string }>`
    select distinct r.subject_id as "subjectId"
    from referral_identifiers ri
    join referrals r on r.id = ri.referral_id
    join subjects s on s.id = r.subject_id and s.merged_into is null
    where ri.identifier_id = any(${identifierIds}::bigint[]) and r.id <> ${exceptReferral}
    order by 1`.execute(db)
  return result.rows.map((r) => r.subjectId)
}

export async function createSubject(tx: Queryable): Promise<string> {
  const row = await tx.insertInto('subjects').defaultValues().returning('id').executeTakeFirstOrThrow()
  return row.id
}

export async function attachReferral(tx: Queryable, referralId: string, subjectId: string) {
  await tx
    .updateTable('referrals')
    .set({ subject_id: subjectId, status: 'resolved' })
    .where('id', '=', referralId)
    .execute()
}

/** Moves every referral of `from` to `into` and marks `from` as merged; open packages of `from` close. */
export async function mergeSubject(tx: Queryable, from: string, into: string) {
  await tx.updateTable('referrals').set({ subject_id: into }).where('subject_id', '=', from).execute()
  await tx.updateTable('subject_addresses').set({ subject_id: into }).where('subject_id', '=', from).execute()
  await tx
    .updateTable('subjects')
    .set({ merged_into: into, updated_at: new Date() })
    .where('id', '=', from)
    .execute()
  await tx
    .updateTable('packages')
    .set({ status: 'closed' })
    .where('subject_id', '=', from)
    .where('status', '=', 'awaiting_review')
    .execute()
}

export async function unresolvedReferrals(db: Queryable, referralIds: readonly string[]) {
  return db
    .selectFrom('referrals')
    .select('id')
    .where('id', 'in', referralIds)
    .where('subject_id', 'is', null)
    .orderBy('id')
    .execute()
}
