import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { sql } from 'kysely'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { type Actor, actorLabel } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import { copyField } from '../platform/copy.js'
import type { Db } from '../platform/db.js'
import { enqueue } from '../platform/queue.js'
import { restoreRowTriggers, skipRowTriggers } from '../platform/row-triggers.js'
import type { HashListFormat } from '../platform/schema.js'
import { type HashListEntry, HashListError } from './formats/hash-list-entry.js'
import { type ReadOptions, type Rejection, readHashList, readHashListPartially } from './hash-list-sources.js'
import { rematchLibraryChangeJob } from './jobs.js'
import { ensureHashSet, type HashSetDetails, recordLibraryChange } from './library-repo.js'
import { withPinnedTransaction } from './pinned-transaction.js'

export interface HashImportRequest {
  path: string
  format: HashListFormat
  set: HashSetDetails
  read?: ReadOptions
  /** Skip bad lines (pdq, csv) and hand each to `reject`, instead of refusing the whole file. */
  partial?: { reject: (rejection: Rejection) => Promise<void> } | undefined
  /** The file is the whole set: live entries not in it are withdrawn. */
  replace?: boolean
}

export interface HashImportSummary {
  importId: string
  hashSet: string
  read: number
  added: number
  unchanged: number
  superseded: number
  withdrawn: number
  rejected: number
}

const ROWS_PER_CHUNK = 2000

async function* copyRows(entries: AsyncIterable<HashListEntry>, counter: { read: number }) {
  let chunk = ''
  let rows = 0
  for await (const e of entries) {
    counter.read++
    chunk += `${[
      counter.read,
      e.algorithm,
      e.value,
      e.category,
      e.series,
      e.victimIdentified,
      e.sourceReference,
      e.quality,
      e.sourceCategory,
    ]
      .map((value) => copyField(value))
      .join('\t')}\n`
    if (++rows === ROWS_PER_CHUNK) {
      yield chunk
      chunk = ''
      rows = 0
    }
  }
  if (chunk !== '') yield chunk
}

/** Streams the list into a temporary staging table with COPY; a reader error aborts the COPY. */
async function stageEntries(client: pg.PoolClient, entries: AsyncIterable<HashListEntry>): Promise<number> {
  await client.query(`create temp table hash_import_staging (
    ordinal bigint not null, algorithm text not null, value text not null, category image_category not null,
    series text, victim_identified boolean, source_reference text, quality smallint, source_category text
  ) on commit drop`)
  // Dedupe and the set-wide joins sort a million rows: in memory, not in temporary files.
  await client.query(`set local work_mem = '256MB'`)
  const counter = { read: 0 }
  await pipeline(
    Readable.from(copyRows(entries, counter)),
    client.query(copyFrom('copy hash_import_staging from stdin')),
  )
  // One entry per hash: the last occurrence in the file wins.
  await client.query(`create temp table hash_import_entries on commit drop as
    select distinct on (algorithm, value) * from hash_import_staging order by algorithm, value, ordinal desc`)
  await client.query('analyze hash_import_entries')
  return counter.read
}

/**
 * Imports a hash list into a set in one transaction: entries new to the set are added, entries
 * whose details changed supersede the live row (kept as history), identical ones are left alone;
 * with `replace`, live entries missing from the file are withdrawn. The import, its audit row and
 * the change-log row commit together; a bad line or record anywhere refuses the whole file with
 * nothing written (unless partial). Affected referrals are rematched by a job after commit.
 */
export async function importHashList(
  pool: pg.Pool,
  actor: Actor,
  request: HashImportRequest,
): Promise<HashImportSummary> {
  const readOptions = request.read ?? {}
  let rejected = 0
  const partial = request.partial
  const entries = partial
    ? readHashListPartially(request.format, request.path, readOptions, async (rejection) => {
        rejected++
        await partial.reject(rejection)
      })
    : readHashList(request.format, request.path, readOptions)
  return withPinnedTransaction(pool, async ({ client, tx }) => {
    const setId = await ensureHashSet(tx, request.set)
    const seq = await recordLibraryChange(tx, setId, 'import')
    const read = await stageEntries(client, entries)
    if (request.replace && read === 0)
      throw new HashListError('refusing to replace a set with an empty list (it would withdraw every entry)')
    const importRow = await tx
      .insertInto('hash_imports')
      .values({
        hash_set_id: setId,
        change_seq: seq,
        format: request.format,
        file_name: request.path,
        partial: partial !== undefined,
        replace: request.replace ?? false,
        entries_read: read,
        entries_added: 0,
        entries_unchanged: 0,
        entries_superseded: 0,
        entries_withdrawn: 0,
        entries_rejected: rejected,
        actor_label: actorLabel(actor),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    const counts = await applyStagedEntries(tx, setId, seq, importRow.id, request.replace ?? false)
    await tx
      .updateTable('hash_imports')
      .set({
        entries_added: counts.added,
        entries_unchanged: counts.unchanged,
        entries_superseded: counts.superseded,
        entries_withdrawn: counts.withdrawn,
      })
      .where('id', '=', importRow.id)
      .execute()
    const summary: HashImportSummary = {
      importId: importRow.id,
      hashSet: request.set.name,
      read,
      ...counts,
      rejected,
    }
    await recordAudit(tx, actor, {
      action: 'hash_set.imported',
      recordType: 'hash_set',
      recordId: setId,
      details: { ...summary, format: request.format, file: request.path, changeSeq: seq },
    })
    if (counts.added + counts.superseded + counts.withdrawn > 0)
      await enqueue(tx, rematchLibraryChangeJob, { changeSeq: seq })
    return summary
  })
}

// The only triggers on known_hashes are its foreign-key checks, three per inserted row: a third of a
// 1M-entry import. They are redundant for the statements of applyStagedEntries: every key they write
// is this set (locked FOR UPDATE before), this import or this change (both inserted by this
// transaction), or a row the same statement joined to.
async function applyStagedEntries(tx: Db, setId: string, seq: string, importId: string, replace: boolean) {
  const skipped = await skipRowTriggers(tx)
  const differs = sql`(k.category, k.series, k.victim_identified, k.source_reference, k.quality, k.source_category)
    is distinct from (e.category, e.series, e.victim_identified, e.source_reference, e.quality, e.source_category)`
  // Superseded rows are withdrawn first: the new row takes the one live place per hash and set.
  await sql`create temp table hash_import_superseded on commit drop as
    select k.id, k.algorithm, k.value from known_hashes k
    join hash_import_entries e on e.algorithm = k.algorithm and e.value = k.value
    where k.hash_set_id = ${setId} and k.withdrawn_at is null and ${differs}`.execute(tx)
  const superseded = await sql`
    update known_hashes k set withdrawn_at = now(), removed_change = ${seq},
      withdrawal_reason = ${`superseded by import ${importId}`}
    from hash_import_superseded s where k.id = s.id`.execute(tx)
  let withdrawn = 0
  if (replace) {
    const result = await sql`
      update known_hashes k set withdrawn_at = now(), removed_change = ${seq},
        withdrawal_reason = ${`not in replacing import ${importId}`}
      where k.hash_set_id = ${setId} and k.withdrawn_at is null
        and not exists (select 1 from hash_import_entries e where e.algorithm = k.algorithm and e.value = k.value)`.execute(
      tx,
    )
    withdrawn = Number(result.numAffectedRows ?? 0)
  }
  // hash_import_entries is stored in (algorithm, value) order and the anti-join keeps it, so the
  // hash-keyed index is filled left to right rather than at random.
  const added = await sql`
    insert into known_hashes (hash_set_id, algorithm, value, category, series, victim_identified,
      source_reference, quality, source_category, import_id, added_change)
    select ${setId}, e.algorithm, e.value, e.category, e.series, e.victim_identified,
      e.source_reference, e.quality, e.source_category, ${importId}, ${seq}
    from hash_import_entries e
    where not exists (select 1 from known_hashes k where k.hash_set_id = ${setId} and k.withdrawn_at is null
      and k.algorithm = e.algorithm and k.value = e.value)`.execute(tx)
  await sql`
    update known_hashes old set superseded_by = new.id
    from hash_import_superseded s
    join known_hashes new on new.import_id = ${importId} and new.algorithm = s.algorithm and new.value = s.value
    where old.id = s.id`.execute(tx)
  // The audit row, job and anything after are written with triggers as usual.
  await restoreRowTriggers(tx, skipped)
  const total = await sql<{ n: number }>`select count(*)::int as n from hash_import_entries`.execute(tx)
  const addedCount = Number(added.numAffectedRows ?? 0)
  const supersededCount = Number(superseded.numAffectedRows ?? 0)
  return {
    added: addedCount - supersededCount,
    unchanged: (total.rows[0]?.n ?? 0) - addedCount,
    superseded: supersededCount,
    withdrawn,
  }
}
