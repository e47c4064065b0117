import { sql } from 'kysely'
import type { Queryable } from '../platform/db.js'
import type { ImageCategory } from '../platform/schema.js'
import { ensureHashSet, recordLibraryChange } from './library-repo.js'

/**
 * Exact matches of the referrals' file MD5 and SHA-1 against live entries of enabled hash sets.
 * Re-running is harmless: a match already recorded is kept, not doubled. Returns the referrals that
 * gained a match.
 */
export async function insertExactMatches(tx: Queryable, referralIds: readonly string[]): Promise<string[]> {
  const result = await sql<{ id: string }>`
    with inserted as (
      insert into file_matches (referral_file_id, known_hash_id, algorithm, distance)
      select f.id, k.id, k.algorithm, 0
      from referral_files f
      join known_hashes k
        on (k.algorithm = 'md5' and k.value = f.md5) or (k.algorithm = 'sha1' and k.value = f.sha1)
      join hash_sets s on s.id = k.hash_set_id and s.enabled
      where f.referral_id = any(${referralIds}::bigint[]) and k.withdrawn_at is null
      on conflict do nothing
      returning referral_file_id)
    select distinct f.referral_id::text as id from inserted join referral_files f on f.id = inserted.referral_file_id`.execute(
    tx,
  )
  return result.rows.map((row) => row.id)
}

/**
 * Marks the referrals of these files as having a recorded match, so triage walks them to their
 * categories (migration 0007). Called wherever file_matches rows are added.
 */
export async function markReferralsMatched(tx: Queryable, referralFileIds: readonly string[]): Promise<void> {
  if (referralFileIds.length === 0) return
  await sql`update referrals r set has_file_matches = true from referral_files f
    where f.id = any(${referralFileIds}::bigint[]) and r.id = f.referral_id and not r.has_file_matches`.execute(
    tx,
  )
}

export interface CategoryCount {
  category: ImageCategory
  files: number
}

/**
 * Files per category for a set of referrals: a file matching several entries counts once, in its
 * most serious category. Withdrawn entries and disabled sets never count.
 */
export async function countMatchedFilesByCategory(
  db: Queryable,
  referralIds: readonly string[],
): Promise<CategoryCount[]> {
  const result = await sql<{ category: ImageCategory; files: number }>`
    select category, count(*)::int as files from (
      select distinct on (f.id) f.id, k.category
      from referral_files f
      join file_matches m on m.referral_file_id = f.id
      join known_hashes k on k.id = m.known_hash_id and k.withdrawn_at is null
      join hash_sets s on s.id = k.hash_set_id and s.enabled
      where f.referral_id = any(${referralIds}::bigint[])
      order by f.id, k.category
    ) per_file
    group by category order by category`.execute(db)
  return result.rows
}

export interface SetCount {
  hashSet: string
  category: ImageCategory
  files: number
}

export async function countMatchedFilesBySet(
  db: Queryable,
  referralIds: readonly string[],
): Promise<SetCount[]> {
  const result = await sql<SetCount>`
    select s.name as "hashSet", k.category, count(distinct f.id)::int as files
    from referral_files f
    join file_matches m on m.referral_file_id = f.id
    join known_hashes k on k.id = m.known_hash_id and k.withdrawn_at is null
    join hash_sets s on s.id = k.hash_set_id and s.enabled
    where f.referral_id = any(${referralIds}::bigint[])
    group by s.name, k.category order by s.name, k.category`.execute(db)
  return result.rows
}

export interface KnownHashInput {
  algorithm: 'md5' | 'sha1' | 'pdq'
  value: string
  category: ImageCategory
  series: string | null
}

/**
 * Creates the set if needed and adds entries (a hash already live in the set is left alone); used by
 * the demo and tests. Logged as a library change so running matchers index its PDQ entries, but no
 * rematch is queued: real lists go through importHashList.
 */
export async function addKnownHashes(
  tx: Queryable,
  set: { name: string; source: string },
  entries: readonly KnownHashInput[],
): Promise<string> {
  const setId = await ensureHashSet(tx, set)
  const seq = await recordLibraryChange(tx, setId, 'import')
  for (let i = 0; i < entries.length; i += 1000) {
    await tx
      .insertInto('known_hashes')
      .values(
        entries.slice(i, i + 1000).map((e) => ({
          hash_set_id: setId,
          algorithm: e.algorithm,
          value: e.value.toLowerCase(),
          category: e.category,
          series: e.series,
          added_change: seq,
        })),
      )
      .onConflict((oc) =>
        oc.columns(['hash_set_id', 'algorithm', 'value']).where('withdrawn_at', 'is', null).doNothing(),
      )
      .execute()
  }
  return setId
}
