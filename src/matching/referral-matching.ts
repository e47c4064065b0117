import { type RawBuilder, sql } from 'kysely'
import { anyId, type Queryable } from '../platform/db.js'
import { entryKey } from './index-sync.js'
import type { LibraryChange } from './library-repo.js'
import type { LibraryMatcher } from './matcher.js'
import { isPdqHex } from './pdq-hash.js'
import { PdqIndex } from './pdq-index.js'
import { markReferralsMatched } from './repo.js'

const FILE_PAGE = 10_000

interface FileMatchRow {
  referralFileId: string
  knownHashId: string
  distance: number
}

async function insertPdqFileMatches(tx: Queryable, rows: readonly FileMatchRow[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 5000) {
    const batch = rows.slice(i, i + 5000)
    await tx
      .insertInto('file_matches')
      .values(
        batch.map((r) => ({
          referral_file_id: r.referralFileId,
          known_hash_id: r.knownHashId,
          algorithm: 'pdq',
          distance: r.distance,
        })),
      )
      .onConflict((oc) => oc.columns(['referral_file_id', 'known_hash_id']).doNothing())
      .execute()
  }
}

/**
 * Arrival: PDQ matches of the referrals' files, with their distance. Re-running adds nothing twice.
 * Returns the referrals with a PDQ match.
 */
export async function insertPdqMatches(
  tx: Queryable,
  matcher: LibraryMatcher,
  referralIds: readonly string[],
): Promise<string[]> {
  const files = await tx
    .selectFrom('referral_files')
    .select(['id', 'referral_id', 'pdq'])
    .where('referral_id', '=', anyId(referralIds))
    .where('pdq', 'is not', null)
    .execute()
  const usable = files.filter((f) => f.pdq !== null && isPdqHex(f.pdq))
  const results = await matcher.match(
    usable.map((f) => ({ pdq: f.pdq!.toLowerCase() })),
    tx,
  )
  const rows = usable.flatMap((f, i) =>
    (results[i] ?? []).map((m) => ({
      referralFileId: f.id,
      knownHashId: m.knownHashId,
      distance: m.distance,
    })),
  )
  await insertPdqFileMatches(tx, rows)
  return [...new Set(usable.filter((_, i) => (results[i] ?? []).length > 0).map((f) => f.referral_id))]
}

/**
 * The entries a change brought into counting (to match against every referral file) and those it
 * took out (whose files' counts change). Enabling or disabling a set does either for all its live
 * entries.
 */
function changedEntries(change: LibraryChange): { added: RawBuilder<unknown>; removed: RawBuilder<unknown> } {
  const none = sql`false`
  const ofSet = sql`k.hash_set_id = ${change.hashSetId} and k.withdrawn_at is null`
  switch (change.kind) {
    case 'set_enabled':
      return { added: ofSet, removed: none }
    case 'set_disabled':
      return { added: none, removed: ofSet }
    default:
      return {
        added: sql`k.added_change = ${change.seq} and k.withdrawn_at is null`,
        removed: sql`k.removed_change = ${change.seq}`,
      }
  }
}

/**
 * After a library change: records the new matches of every referral file (exact by index lookup,
 * PDQ by a small index of just the added entries scanned against the files), and returns the
 * referral files whose counts changed, so their subjects' packages can be re-triaged.
 */
export async function rematchAfterChange(
  tx: Queryable,
  matcher: LibraryMatcher,
  change: LibraryChange,
): Promise<string[]> {
  const { added, removed } = changedEntries(change)
  const touched = new Set<string>()
  for (const algorithm of ['md5', 'sha1'] as const) {
    const column = sql.ref(`f.${algorithm}`)
    const result = await sql<{ id: string }>`
      insert into file_matches (referral_file_id, known_hash_id, algorithm, distance)
      select f.id, k.id, k.algorithm, 0
      from known_hashes k
      join hash_sets s on s.id = k.hash_set_id and s.enabled
      join referral_files f on ${column} = k.value
      where k.algorithm = ${algorithm} and ${added}
      on conflict do nothing
      returning referral_file_id as id`.execute(tx)
    for (const row of result.rows) touched.add(row.id)
  }
  const pdqEntries = await sql<{ id: string; value: string; quality: number | null }>`
    select k.id, k.value, k.quality from known_hashes k join hash_sets s on s.id = k.hash_set_id and s.enabled
    where k.algorithm = 'pdq' and ${added}`.execute(tx)
  const indexable = pdqEntries.rows.filter(
    (e) => e.quality === null || e.quality >= matcher.options.qualityFloor,
  )
  if (indexable.length > 0) {
    const index = PdqIndex.build(
      indexable.map((e) => entryKey(e.id)),
      indexable.map((e) => e.value),
    )
    for (let after = '0'; ; ) {
      const files = await tx
        .selectFrom('referral_files')
        .select(['id', 'pdq'])
        .where('pdq', 'is not', null)
        .where('id', '>', after)
        .orderBy('id')
        .limit(FILE_PAGE)
        .execute()
      const rows: FileMatchRow[] = []
      for (const file of files) {
        if (file.pdq === null || !isPdqHex(file.pdq)) continue
        for (const hit of index.query(file.pdq.toLowerCase(), matcher.options.radius))
          rows.push({ referralFileId: file.id, knownHashId: String(hit.id), distance: hit.distance })
      }
      await insertPdqFileMatches(tx, rows)
      for (const row of rows) touched.add(row.referralFileId)
      const last = files.at(-1)
      if (!last || files.length < FILE_PAGE) break
      after = last.id
    }
  }
  const lost = await sql<{ id: string }>`
    select distinct m.referral_file_id as id from file_matches m join known_hashes k on k.id = m.known_hash_id
    where ${removed}`.execute(tx)
  // Files that lost a match had one already; the flag only ever says "walk this referral's matches".
  await markReferralsMatched(tx, [...touched])
  for (const row of lost.rows) touched.add(row.id)
  return [...touched]
}

/** Subjects of these referral files, for re-triage. */
export async function subjectsOfFiles(tx: Queryable, fileIds: readonly string[]): Promise<string[]> {
  if (fileIds.length === 0) return []
  const result = await sql<{ id: string }>`
    select distinct r.subject_id as id from referral_files f join referrals r on r.id = f.referral_id
    where f.id = any(${fileIds}::bigint[]) and r.subject_id is not null`.execute(tx)
  return result.rows.map((r) => r.id)
}
