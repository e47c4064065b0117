import { sql } from 'kysely'
import { bulkInsert } from '../platform/bulk-insert.js'
import type { Queryable } from '../platform/db.js'
import { contentCountColumns } from './contents-repo.js'
import type { ReceivedDocument } from './documents.js'
import type { ReferralDocument } from './model.js'

export interface StoredVersion {
  id: string
  source: string
  key: string
  version: number
  contentSha256: string | null
  sha256: string
}

/** Every stored version of these (source, key) pairs, oldest first. */
export async function storedVersions(
  db: Queryable,
  keys: readonly { source: string; key: string }[],
): Promise<StoredVersion[]> {
  if (keys.length === 0) return []
  const result = await sql<StoredVersion>`
    select r.id, r.source, r.idempotency_key as key, r.version, r.content_sha256 as "contentSha256", d.sha256
    from referrals r join referral_documents d on d.id = r.document_id
    where (r.source, r.idempotency_key) in (
      select * from unnest(${keys.map((k) => k.source)}::text[], ${keys.map((k) => k.key)}::text[]))
    order by r.source, r.idempotency_key, r.version`.execute(db)
  return result.rows
}

/** Bodies per statement: well under Postgres's 1 GB parameter limit, whatever the documents' sizes. */
const DOCUMENT_BYTES_PER_STATEMENT = 64 * 1024 * 1024

/**
 * Inserts verbatim documents. The bodies travel as one binary parameter, cut apart by offset in SQL:
 * an array of bytea would be sent as hex text, doubling the bytes and costing an encode in Node and
 * a decode in Postgres for every document.
 */
export async function insertDocuments(
  tx: Queryable,
  rows: readonly { id: string; document: ReceivedDocument; receivedVia: string }[],
): Promise<void> {
  let start = 0
  while (start < rows.length) {
    let end = start
    let bytes = 0
    do bytes += rows[end++]!.document.body.length
    while (end < rows.length && bytes + rows[end]!.document.body.length <= DOCUMENT_BYTES_PER_STATEMENT)
    await insertDocumentChunk(tx, rows.slice(start, end))
    start = end
  }
}

async function insertDocumentChunk(
  tx: Queryable,
  rows: readonly { id: string; document: ReceivedDocument; receivedVia: string }[],
): Promise<void> {
  const offsets: number[] = []
  let offset = 1 // substring counts from 1
  for (const { document } of rows) {
    offsets.push(offset)
    offset += document.body.length
  }
  const column = <T>(pick: (row: (typeof rows)[number]) => T) => rows.map(pick)
  await sql`insert into referral_documents
      (id, sha256, media_type, file_name, body, format, received_via, manifest) overriding system value
    select u.id, u.sha256, u.media_type, u.file_name, substring(${Buffer.concat(column((r) => r.document.body))}::bytea
        from u.body_from for u.body_length),
      u.format, u.received_via, u.manifest
    from unnest(${column((r) => r.id)}::bigint[], ${column((r) => r.document.sha256)}::text[],
      ${column((r) => r.document.mediaType)}::text[], ${column((r) => r.document.fileName)}::text[],
      ${column((r) => r.document.format)}::text[], ${column((r) => r.receivedVia)}::text[],
      ${column((r) => (r.document.manifest ? JSON.stringify(r.document.manifest) : null))}::jsonb[],
      ${offsets}::int[], ${column((r) => r.document.body.length)}::int[])
      as u(id, sha256, media_type, file_name, format, received_via, manifest, body_from, body_length)`.execute(
    tx,
  )
}

export async function deleteDocuments(tx: Queryable, ids: readonly string[]): Promise<void> {
  if (ids.length > 0) await tx.deleteFrom('referral_documents').where('id', 'in', ids).execute()
}

export interface NewReferral {
  id: string
  documentId: string
  key: string
  contentSha256: string
  version: number
  supersedes: string | null
  operationId: string | null
  referral: ReferralDocument
}

/**
 * Inserts the referrals; returns the ids actually inserted. One missing means a concurrent intake
 * stored that version of the report first, so this one is a duplicate.
 */
export async function insertReferrals(tx: Queryable, rows: readonly NewReferral[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set()
  const result = await bulkInsert(
    'referrals',
    [
      { name: 'id', type: 'bigint' },
      { name: 'source', type: 'text' },
      { name: 'idempotency_key', type: 'text' },
      { name: 'source_reference', type: 'text' },
      { name: 'document_id', type: 'bigint' },
      { name: 'operation_id', type: 'bigint' },
      { name: 'incident_type', type: 'text' },
      { name: 'incident_at', type: 'timestamptz' },
      { name: 'platform', type: 'text' },
      { name: 'reporting_organisation', type: 'text' },
      { name: 'informational', type: 'boolean' },
      { name: 'escalation', type: 'text' },
      { name: 'annotations', type: 'text[]' },
      { name: 'ncmec_priority', type: 'text' },
      { name: 'ncmec_priority_label', type: 'text' },
      { name: 'version', type: 'int' },
      { name: 'supersedes_referral_id', type: 'bigint' },
      { name: 'content_sha256', type: 'text' },
      { name: 'summary', type: 'text' },
      { name: 'file_count', type: 'int' },
      { name: 'child_victim_count', type: 'int' },
    ],
    rows.map(({ referral: r, ...row }) => [
      row.id,
      r.source,
      row.key,
      r.sourceReference,
      row.documentId,
      row.operationId,
      r.incidentType,
      r.incidentAt,
      r.platform,
      r.reportingOrganisation,
      r.informational,
      r.escalation,
      r.annotations,
      r.ncmecPriority?.id ?? null,
      r.ncmecPriority?.label ?? null,
      row.version,
      row.supersedes,
      row.contentSha256,
      r.summary ?? null,
      ...contentCountColumns(r),
    ]),
    {
      overridingIds: true,
      suffix: sql` on conflict (source, idempotency_key, version) do nothing returning id`,
    },
  ).execute(tx)
  return new Set((result.rows as { id: string }[]).map((row) => row.id))
}

/** The latest version of each CyberTipline report with one of these reportIds. */
export async function reportsByReference(
  db: Queryable,
  reportIds: readonly string[],
): Promise<Map<string, string>> {
  if (reportIds.length === 0) return new Map()
  const result = await sql<{ reference: string; id: string }>`
    select distinct on (source_reference) source_reference as reference, id from referrals
    where source_reference = any(${reportIds}::text[]) and source in ('cybertipline-le-json', 'cybertipline-xml')
    order by source_reference, version desc, id desc`.execute(db)
  return new Map(result.rows.map((row) => [row.reference, row.id]))
}

export async function attachedFileDetails(
  db: Queryable,
  pairs: readonly { referralId: string; fileId: string }[],
): Promise<Set<string>> {
  if (pairs.length === 0) return new Set()
  const rows = await db
    .selectFrom('referral_file_details')
    .select(['referral_id', 'file_id'])
    .where(
      'referral_id',
      'in',
      pairs.map((p) => p.referralId),
    )
    .execute()
  return new Set(rows.map((r) => `${r.referral_id}/${r.file_id}`))
}
