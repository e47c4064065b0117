import { sql } from 'kysely'
import type { Queryable } from '../platform/db.js'
import type { HashLibraryChangeKind, ImageCategory } from '../platform/schema.js'
import type { HashAlgorithm } from './formats/hash-list-entry.js'

/** The Postgres channel a library change is announced on (a hint: processes also poll the log). */
export const LIBRARY_CHANNEL = 'hash_library_changes'

export interface HashSetSummary {
  id: string
  name: string
  source: string
  handling: string
  version: string | null
  enabled: boolean
  md5: number
  sha1: number
  pdq: number
  withdrawn: number
  updatedAt: Date
}

export async function findHashSet(db: Queryable, name: string) {
  return db
    .selectFrom('hash_sets')
    .select(['id', 'name', 'source', 'handling', 'version', 'enabled'])
    .where('name', '=', name)
    .executeTakeFirst()
}

export interface HashSetDetails {
  name: string
  source: string
  handling?: string | undefined
  version?: string | undefined
}

/**
 * The set's id, created if new, and locked for the rest of the transaction: two imports into one
 * set would otherwise race on "is this hash already live here?".
 */
export async function ensureHashSet(tx: Queryable, details: HashSetDetails): Promise<string> {
  await tx
    .insertInto('hash_sets')
    .values({
      name: details.name,
      source: details.source,
      ...(details.handling ? { handling: details.handling } : {}),
      version: details.version ?? null,
    })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute()
  const row = await sql<{ id: string }>`
    select id from hash_sets where name = ${details.name} for update`.execute(tx)
  const id = row.rows[0]?.id
  if (id === undefined) throw new Error(`hash set ${details.name} could not be created`)
  const changes = {
    ...(details.handling ? { handling: details.handling } : {}),
    ...(details.version ? { version: details.version } : {}),
  }
  if (Object.keys(changes).length > 0) {
    await tx
      .updateTable('hash_sets')
      .set({ ...changes, updated_at: new Date() })
      .where('id', '=', id)
      .execute()
  }
  return id
}

export async function listHashSets(db: Queryable): Promise<HashSetSummary[]> {
  const result = await sql<HashSetSummary>`
    select s.id, s.name, s.source, s.handling, s.version, s.enabled, s.updated_at as "updatedAt",
      count(k.id) filter (where k.withdrawn_at is null and k.algorithm = 'md5')::int as md5,
      count(k.id) filter (where k.withdrawn_at is null and k.algorithm = 'sha1')::int as sha1,
      count(k.id) filter (where k.withdrawn_at is null and k.algorithm = 'pdq')::int as pdq,
      count(k.id) filter (where k.withdrawn_at is not null)::int as withdrawn
    from hash_sets s left join known_hashes k on k.hash_set_id = s.id
    group by s.id order by s.name`.execute(db)
  return result.rows
}

/** Appends to the change log and announces it on commit (NOTIFY is transactional). */
export async function recordLibraryChange(
  tx: Queryable,
  hashSetId: string,
  kind: HashLibraryChangeKind,
): Promise<string> {
  const row = await tx
    .insertInto('hash_library_changes')
    .values({ hash_set_id: hashSetId, kind })
    .returning('seq')
    .executeTakeFirstOrThrow()
  await sql`select pg_notify(${LIBRARY_CHANNEL}, ${row.seq})`.execute(tx)
  return row.seq
}

export async function latestChangeSeq(db: Queryable): Promise<string> {
  const row = await sql<{ seq: string }>`
    select coalesce(max(seq), 0)::text as seq from hash_library_changes`.execute(db)
  return row.rows[0]?.seq ?? '0'
}

export interface LibraryChange {
  seq: string
  hashSetId: string
  kind: HashLibraryChangeKind
}

export async function changesSince(db: Queryable, seq: string): Promise<LibraryChange[]> {
  return db
    .selectFrom('hash_library_changes')
    .select(['seq', 'hash_set_id as hashSetId', 'kind'])
    .where('seq', '>', seq)
    .orderBy('seq')
    .execute()
}

export interface PdqEntry {
  id: string
  value: string
  quality: number | null
}

/** Live PDQ entries of enabled sets, a page at a time by id (keyset: flat memory at any size). */
export async function livePdqPage(db: Queryable, afterId: string, limit: number): Promise<PdqEntry[]> {
  return db
    .selectFrom('known_hashes as k')
    .innerJoin('hash_sets as s', 's.id', 'k.hash_set_id')
    .select(['k.id', 'k.value', 'k.quality'])
    .where('k.algorithm', '=', 'pdq')
    .where('k.withdrawn_at', 'is', null)
    .where('s.enabled', '=', true)
    .where('k.id', '>', afterId)
    .orderBy('k.id')
    .limit(limit)
    .execute()
}

/** The PDQ entries one change added (to index) and removed (to drop), whatever their set's state. */
export async function pdqEntriesOfChange(db: Queryable, change: LibraryChange) {
  const added = await db
    .selectFrom('known_hashes')
    .select(['id', 'value', 'quality'])
    .where('algorithm', '=', 'pdq')
    .where('added_change', '=', change.seq)
    .where('withdrawn_at', 'is', null)
    .execute()
  const removed = await db
    .selectFrom('known_hashes')
    .select('id')
    .where('algorithm', '=', 'pdq')
    .where('removed_change', '=', change.seq)
    .execute()
  return { added, removed: removed.map((r) => r.id) }
}

/** Live PDQ entries of one set, for a set enabled (index them) or disabled (drop them). */
export async function livePdqEntriesOfSet(db: Queryable, hashSetId: string): Promise<PdqEntry[]> {
  return db
    .selectFrom('known_hashes')
    .select(['id', 'value', 'quality'])
    .where('hash_set_id', '=', hashSetId)
    .where('algorithm', '=', 'pdq')
    .where('withdrawn_at', 'is', null)
    .execute()
}

export interface CountingEntry {
  id: string
  algorithm: HashAlgorithm
  value: string
  category: ImageCategory
  hashSet: string
  series: string | null
  victimIdentified: boolean | null
  sourceReference: string | null
}

/**
 * The entries among these ids that count now: live, in an enabled set. The index only proposes
 * candidates; this is the authority, so an index a moment behind never counts a withdrawn entry.
 */
export async function countingEntries(db: Queryable, ids: readonly string[]): Promise<CountingEntry[]> {
  if (ids.length === 0) return []
  const result = await sql<CountingEntry>`
    select k.id, k.algorithm, k.value, k.category, s.name as "hashSet", k.series,
      k.victim_identified as "victimIdentified", k.source_reference as "sourceReference"
    from known_hashes k join hash_sets s on s.id = k.hash_set_id and s.enabled
    where k.id = any(${ids}::bigint[]) and k.withdrawn_at is null`.execute(db)
  return result.rows
}

/** Exact lookups: the counting entries whose value is one of these (one query per batch). */
export async function exactEntries(
  db: Queryable,
  algorithm: 'md5' | 'sha1',
  values: readonly string[],
): Promise<CountingEntry[]> {
  if (values.length === 0) return []
  const result = await sql<CountingEntry>`
    select k.id, k.algorithm, k.value, k.category, s.name as "hashSet", k.series,
      k.victim_identified as "victimIdentified", k.source_reference as "sourceReference"
    from known_hashes k join hash_sets s on s.id = k.hash_set_id and s.enabled
    where k.algorithm = ${algorithm} and k.value = any(${values}::text[]) and k.withdrawn_at is null`.execute(
    db,
  )
  return result.rows
}

export interface ExportRow {
  id: string
  algorithm: HashAlgorithm
  value: string
  category: ImageCategory
  series: string | null
  victim_identified: boolean | null
  source_reference: string | null
  quality: number | null
  source_category: string | null
}

/** Live entries of a set after `afterId`, optionally of one algorithm, for streaming exports. */
export async function liveEntriesPage(
  db: Queryable,
  hashSetId: string,
  afterId: string,
  limit: number,
  algorithm?: HashAlgorithm,
): Promise<ExportRow[]> {
  let query = db
    .selectFrom('known_hashes')
    .select([
      'id',
      'algorithm',
      'value',
      'category',
      'series',
      'victim_identified',
      'source_reference',
      'quality',
      'source_category',
    ])
    .where('hash_set_id', '=', hashSetId)
    .where('withdrawn_at', 'is', null)
    .where('id', '>', afterId)
  if (algorithm) query = query.where('algorithm', '=', algorithm)
  return query.orderBy('id').limit(limit).execute()
}

export interface WithdrawalTarget {
  algorithm?: HashAlgorithm | undefined
  value: string
}

/** Marks live entries of the set withdrawn (kept as history); returns the ids withdrawn. */
export async function withdrawEntries(
  tx: Queryable,
  hashSetId: string,
  targets: readonly WithdrawalTarget[] | 'all',
  reason: string,
  changeSeq: string,
): Promise<string[]> {
  let query = tx
    .updateTable('known_hashes')
    .set({ withdrawn_at: new Date(), withdrawal_reason: reason, removed_change: changeSeq })
    .where('hash_set_id', '=', hashSetId)
    .where('withdrawn_at', 'is', null)
  if (targets !== 'all') {
    const values = [...new Set(targets.map((t) => t.value.toLowerCase()))]
    if (values.length === 0) return []
    query = query.where('value', 'in', values)
  }
  const rows = await query.returning('id').execute()
  return rows.map((r) => r.id)
}

export async function setHashSetEnabled(tx: Queryable, hashSetId: string, enabled: boolean): Promise<void> {
  await tx
    .updateTable('hash_sets')
    .set({ enabled, updated_at: new Date() })
    .where('id', '=', hashSetId)
    .execute()
}
