import { sql } from 'kysely'
import type { Queryable } from '../platform/db.js'
import { LINKING_KINDS } from './normalise.js'

/** Set-based reads and writes of subject resolution: one statement per step for a whole batch. */

export interface ReferralLink {
  referralId: string
  identifierId: string
  kind: string
  /** Referrals (anywhere) whose reported person has this identifier. */
  referrals: number
}

/** The reported person's e-mails, phones and accounts of each unresolved referral of the batch. */
export async function linkingIdentifiersOfBatch(db: Queryable, referralIds: readonly string[]) {
  const result = await sql<ReferralLink>`
    with batch as (
      select distinct ri.referral_id, ri.identifier_id, i.kind
      from referral_identifiers ri
      join identifiers i on i.id = ri.identifier_id
      join referrals r on r.id = ri.referral_id and r.subject_id is null
      where ri.referral_id = any(${referralIds}::bigint[]) and ri.normalised and ri.role = 'reported_person'
        and i.kind = any(${LINKING_KINDS as string[]}::text[])
    ), seen as (
      -- Counted per identifier through its index, so the cost does not grow with the table.
      select d.identifier_id,
        (select count(distinct ri.referral_id)::int from referral_identifiers ri where ri.identifier_id = d.identifier_id)
          as referrals
      from (select distinct identifier_id from batch) d
    )
    select b.referral_id as "referralId", b.identifier_id as "identifierId", b.kind, s.referrals
    from batch b join seen s on s.identifier_id = b.identifier_id`.execute(db)
  return result.rows
}

/** Live subjects of already-resolved referrals sharing any of these identifiers. */
export async function subjectsByIdentifier(db: Queryable, identifierIds: readonly string[]) {
  if (identifierIds.length === 0) return []
  const result = await sql<{ identifierId: string; subjectId: string }>`
    select distinct u.id as "identifierId", r.subject_id as "subjectId"
    from unnest(${identifierIds}::bigint[]) as u(id)
    join lateral (select referral_id from referral_identifiers where identifier_id = u.id) ri on true
    join referrals r on r.id = ri.referral_id
    join subjects s on s.id = r.subject_id and s.merged_into is null`.execute(db)
  return result.rows
}

export async function unresolvedOf(db: Queryable, referralIds: readonly string[]): Promise<string[]> {
  const result = await sql<{ id: string }>`
    select id from referrals where id = any(${referralIds}::bigint[]) and subject_id is null order by id`.execute(
    db,
  )
  return result.rows.map((row) => row.id)
}

export async function createSubjects(tx: Queryable, count: number): Promise<string[]> {
  if (count === 0) return []
  const result = await sql<{ id: string }>`
    insert into subjects (status) select 'unlocated' from generate_series(1, ${count}) returning id`.execute(
    tx,
  )
  return result.rows.map((row) => row.id).sort((a, b) => Number(a) - Number(b))
}

/** Moves everything of each `from` subject to its `into`, marks it merged, closes its open package. */
export async function mergeSubjects(tx: Queryable, merges: readonly { from: string; into: string }[]) {
  if (merges.length === 0) return
  const from = merges.map((m) => m.from)
  const into = merges.map((m) => m.into)
  const pairs = sql`unnest(${from}::bigint[], ${into}::bigint[]) as m(from_id, into_id)`
  await sql`update referrals r set subject_id = m.into_id from ${pairs} where r.subject_id = m.from_id`.execute(
    tx,
  )
  await sql`update subject_addresses a set subject_id = m.into_id from ${pairs} where a.subject_id = m.from_id`.execute(
    tx,
  )
  await sql`update subjects s set merged_into = m.into_id, updated_at = now() from ${pairs} where s.id = m.from_id`.execute(
    tx,
  )
  await sql`update packages set status = 'closed'
    where subject_id = any(${from}::bigint[]) and status = 'awaiting_review'`.execute(tx)
}

export async function attachReferrals(
  tx: Queryable,
  links: readonly { referralId: string; subjectId: string }[],
) {
  if (links.length === 0) return
  await sql`update referrals r set subject_id = x.subject_id, status = 'resolved'
    from unnest(${links.map((l) => l.referralId)}::bigint[], ${links.map((l) => l.subjectId)}::bigint[])
      as x(referral_id, subject_id)
    where r.id = x.referral_id`.execute(tx)
}
