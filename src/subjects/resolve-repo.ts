import { sql } from 'kysely'
import type { Queryable } from '../platform/db.js'
import type { BatchIdentifier } from './linking.js'
import { LINKING_KINDS } from './normalise.js'

/** Set-based reads and writes of subject resolution: one statement per step for a whole batch. */

/**
 * The e-mails, phones and accounts each unresolved referral of the batch names, in any role (all count
 * toward the cap; only the reported person's link), with what linking already knows of each: how many
 * resolved referrals named it and the subject it last linked into. Every step is driven from the batch
 * through an index (materialised, so the plan does not depend on statistics that lag a bulk load), so
 * the cost does not grow with the tables or with how often an identifier recurs.
 */
export async function batchIdentifiers(db: Queryable, referralIds: readonly string[]) {
  const result = await sql<BatchIdentifier>`
    with batch as materialized (
      select ri.referral_id, ri.identifier_id, ri.kind, bool_or(ri.normalised and ri.role = 'reported_person') as links
      from unnest(${referralIds}::bigint[]) as u(id)
      -- The caller passes unresolved ids already, but this join stays: without it, two embedded 1M
      -- runs fell 160,000-230,000 referrals behind between 200k and 600k (resolving 510-530 s of job
      -- time, against 173-202 s with it). The plan was not captured.
      join referrals r on r.id = u.id and r.subject_id is null
      join lateral (select x.referral_id, x.identifier_id, x.kind, x.normalised, x.role from referral_identifiers x
        where x.referral_id = u.id and x.kind = any(${LINKING_KINDS as string[]}::text[])) ri on true
      group by ri.referral_id, ri.identifier_id, ri.kind
    )
    -- Probed per row (offset 0): with no statistics yet (a bulk load) the planner would take both
    -- sides for one row and could choose to read the whole table.
    select b.referral_id as "referralId", b.identifier_id as "identifierId", b.kind, b.links,
      coalesce(l.referrals, 0) as "earlierReferrals", l.subject_id as "subjectId"
    from batch b
    left join lateral (select x.referrals, x.subject_id from identifier_links x
      where x.identifier_id = b.identifier_id offset 0) l on true
    order by b.referral_id, b.identifier_id`.execute(db)
  return result.rows
}

/**
 * The live subject of each of these: itself, or the one it was merged into (followed through every
 * later merge). identifier_links may name a merged subject: a merge moves referrals, not links.
 */
export async function liveSubjects(
  db: Queryable,
  subjectIds: readonly string[],
): Promise<Map<string, string>> {
  const live = new Map<string, string>()
  if (subjectIds.length === 0) return live
  const result = await sql<{ subjectId: string; liveId: string }>`
    with recursive chain(start_id, id, merged_into) as (
      select s.id, s.id, s.merged_into from subjects s where s.id = any(${subjectIds}::bigint[])
      union all
      select c.start_id, s.id, s.merged_into from chain c join subjects s on s.id = c.merged_into
    )
    select start_id as "subjectId", id as "liveId" from chain where merged_into is null`.execute(db)
  for (const row of result.rows) live.set(row.subjectId, row.liveId)
  return live
}

/** Writes each identifier's count and subject after a batch (the resolver is their only writer). */
export async function saveIdentifierLinks(
  tx: Queryable,
  links: readonly { identifierId: string; referrals: number; subjectId: string | null }[],
) {
  if (links.length === 0) return
  await sql`insert into identifier_links (identifier_id, referrals, subject_id)
    select * from unnest(${links.map((l) => l.identifierId)}::bigint[], ${links.map((l) => l.referrals)}::int[],
      ${links.map((l) => l.subjectId)}::bigint[])
    on conflict (identifier_id) do update set referrals = excluded.referrals, subject_id = excluded.subject_id`.execute(
    tx,
  )
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
