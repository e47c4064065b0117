import { sql } from 'kysely'
import type { Queryable } from '../platform/db.js'
import { LINKING_KINDS } from './normalise.js'
import { OVER_LINKED_REFERRALS } from './repo.js'

/** Set-based reads and writes of subject resolution: one statement per step for a whole batch. */

export interface ReferralLink {
  referralId: string
  identifierId: string
  kind: string
  /** Referrals naming this identifier, in any role (counted up to the cap + 1). */
  referrals: number
}

/**
 * The reported person's e-mails, phones and accounts of each unresolved referral of the batch, each with
 * how many referrals name it. Every step is driven from the batch through an index (materialised, so
 * the plan does not depend on statistics that lag a bulk load) and its cost does not grow with the
 * table: counting stops past the cap, so a placeholder address in a million reports costs no more
 * than one in 26.
 */
export async function linkingIdentifiersOfBatch(db: Queryable, referralIds: readonly string[]) {
  const result = await sql<ReferralLink>`
    with batch as materialized (
      select distinct ri.referral_id, ri.identifier_id, i.kind
      from unnest(${referralIds}::bigint[]) as u(id)
      -- The caller passes unresolved ids already, but this join stays: without it, two embedded 1M
      -- runs fell 160,000-230,000 referrals behind between 200k and 600k (resolving 510-530 s of job
      -- time, against 173-202 s with it). The plan was not captured.
      join referrals r on r.id = u.id and r.subject_id is null
      join lateral (select x.referral_id, x.identifier_id from referral_identifiers x
        where x.referral_id = u.id and x.normalised and x.role = 'reported_person') ri on true
      join identifiers i on i.id = ri.identifier_id and i.kind = any(${LINKING_KINDS as string[]}::text[])
    )
    -- Counted per row, not joined to a per-identifier table: with no statistics yet (a bulk load) the
    -- planner takes both sides for one row and nests a join that compares every pair.
    select b.referral_id as "referralId", b.identifier_id as "identifierId", b.kind,
      -- In any role: an identifier in that many reports is a hub (a support address, a placeholder, a
      -- phone many suspects messaged) whoever it was given for, and counted straight off the index
      -- this needs no heap visit (filtered by role it would need one per row).
      (select count(*)::int from (select distinct x.referral_id from referral_identifiers x
        where x.identifier_id = b.identifier_id order by x.referral_id limit ${OVER_LINKED_REFERRALS + 1}) c)
        as referrals
    from batch b`.execute(db)
  return result.rows
}

/**
 * Live subjects of already-resolved referrals whose reported person has any of these identifiers (each
 * under the cap). Only the reported person's: a phone one report gives for an intended recipient or a
 * child is someone else's, and must not pull that report's suspect into this subject.
 */
export async function subjectsByIdentifier(db: Queryable, identifierIds: readonly string[]) {
  if (identifierIds.length === 0) return []
  // offset 0 keeps the lookup per identifier: flattened, Postgres would hash-join the whole table.
  const result = await sql<{ identifierId: string; subjectId: string }>`
    select distinct u.id as "identifierId", r.subject_id as "subjectId"
    from unnest(${identifierIds}::bigint[]) as u(id)
    join lateral (select x.referral_id from referral_identifiers x
      where x.identifier_id = u.id and x.normalised and x.role = 'reported_person' offset 0) ri on true
    join lateral (select subject_id from referrals where id = ri.referral_id and subject_id is not null offset 0) r
      on true
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
