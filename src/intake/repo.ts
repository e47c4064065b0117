import { sql } from 'kysely'
import { bulkInsert } from '../platform/bulk-insert.js'
import type { Queryable } from '../platform/db.js'
import { normaliseIdentifier } from '../subjects/normalise.js'
import type { ReceivedDocument } from './documents.js'
import type { ExtractedFile, ExtractedIdentifier, ReferralDocument } from './model.js'

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

/**
 * What triage counts of a referral's contents, kept on its row (migration 0007). Stored with the
 * referral, and added to when a <fileDetails> attaches more: both go through this.
 */
function contentCounts(referral: Pick<ReferralDocument, 'files' | 'persons'>) {
  return {
    files: referral.files.length,
    childVictims: referral.persons.filter((p) => p.role === 'child_victim').length,
  }
}

/** contentCounts as the two last columns of insertReferrals. */
function counted(referral: ReferralDocument): [number, number] {
  const { files, childVictims } = contentCounts(referral)
  return [files, childVictims]
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
      ...counted(r),
    ]),
    {
      overridingIds: true,
      suffix: sql` on conflict (source, idempotency_key, version) do nothing returning id`,
    },
  ).execute(tx)
  return new Set((result.rows as { id: string }[]).map((row) => row.id))
}

/** What a document says, for one referral; documentId set when it is not the referral's own document. */
export interface ReferralContents {
  referralId: string
  documentId: string | null
  referral: Pick<ReferralDocument, 'persons' | 'identifiers' | 'addresses' | 'files'>
}

/** Everything the documents say about people, identifiers, addresses and files, each with its path. */
export async function insertReferralContents(tx: Queryable, items: readonly ReferralContents[]) {
  const persons = items.flatMap(({ referralId, referral }) =>
    referral.persons.map((p) => ({ referralId, p })),
  )
  if (persons.length > 0) {
    await bulkInsert(
      'referral_persons',
      [
        { name: 'referral_id', type: 'bigint' },
        { name: 'path', type: 'text' },
        { name: 'role', type: 'text' },
        { name: 'person_index', type: 'int' },
        { name: 'first_name', type: 'text' },
        { name: 'last_name', type: 'text' },
        { name: 'date_of_birth', type: 'text' },
        { name: 'approximate_age', type: 'text' },
        { name: 'platform', type: 'text' },
        { name: 'esp_user_id', type: 'text' },
        { name: 'screen_name', type: 'text' },
        { name: 'display_names', type: 'text[]' },
      ],
      persons.map(({ referralId, p }) => [
        referralId,
        p.path,
        p.role,
        p.personIndex,
        p.firstName,
        p.lastName,
        p.dateOfBirth,
        p.approximateAge,
        p.platform,
        p.espUserId,
        p.screenName,
        p.displayNames,
      ]),
    ).execute(tx)
  }
  await insertIdentifiers(
    tx,
    items.flatMap(({ referralId, documentId, referral }) =>
      referral.identifiers.map((identifier) => ({ referralId, documentId, identifier })),
    ),
  )
  const addresses = items.flatMap(({ referralId, referral }) =>
    referral.addresses.map((a) => ({ referralId, a })),
  )
  if (addresses.length > 0) {
    await bulkInsert(
      'referral_addresses',
      [
        { name: 'referral_id', type: 'bigint' },
        { name: 'path', type: 'text' },
        { name: 'role', type: 'text' },
        { name: 'person_index', type: 'int' },
        { name: 'street', type: 'text' },
        { name: 'city', type: 'text' },
        { name: 'region', type: 'text' },
        { name: 'postcode', type: 'text' },
        { name: 'country', type: 'text' },
        { name: 'derived', type: 'boolean' },
      ],
      addresses.map(({ referralId, a }) => [
        referralId,
        a.path,
        a.role,
        a.personIndex,
        a.street,
        a.city,
        a.region,
        a.postcode,
        a.country,
        a.derived,
      ]),
    ).execute(tx)
  }
  // Contents attached to a referral stored earlier (a <fileDetails>) add to its counts; a new
  // referral's were written with its row.
  const added = items
    .filter((item) => item.documentId !== null)
    .map((item) => ({ referralId: item.referralId, ...contentCounts(item.referral) }))
    .filter((a) => a.files > 0 || a.childVictims > 0)
  if (added.length > 0) {
    await sql`update referrals r set file_count = r.file_count + x.files,
        child_victim_count = r.child_victim_count + x.victims
      from (select id, sum(files)::int as files, sum(victims)::int as victims
        from unnest(${added.map((a) => a.referralId)}::bigint[], ${added.map((a) => a.files)}::int[],
          ${added.map((a) => a.childVictims)}::int[]) as u(id, files, victims) group by id) x
      where r.id = x.id`.execute(tx)
  }
  return insertFiles(
    tx,
    items.flatMap(({ referralId, documentId, referral }) =>
      referral.files.map((file) => ({ referralId, documentId, file })),
    ),
  )
}

/** Inserts files; returns their ids in the order given. */
export async function insertFiles(
  tx: Queryable,
  files: readonly { referralId: string; documentId: string | null; file: ExtractedFile }[],
): Promise<string[]> {
  if (files.length === 0) return []
  const result = await bulkInsert(
    'referral_files',
    [
      { name: 'referral_id', type: 'bigint' },
      { name: 'document_id', type: 'bigint' },
      { name: 'path', type: 'text' },
      { name: 'file_name', type: 'text' },
      { name: 'original_file_name', type: 'text' },
      { name: 'md5', type: 'text' },
      { name: 'sha1', type: 'text' },
      { name: 'pdq', type: 'text' },
      { name: 'viewed_by_esp', type: 'boolean' },
      { name: 'publicly_available', type: 'boolean' },
      { name: 'industry_classification', type: 'text' },
      { name: 'annotations', type: 'text[]' },
    ],
    files.map(({ referralId, documentId, file: f }) => {
      const hash = (algorithm: string) =>
        f.hashes.find((h) => h.algorithm === algorithm)?.value.toLowerCase() ?? null
      return [
        referralId,
        documentId,
        f.path,
        f.fileName,
        f.originalFileName,
        hash('md5'),
        hash('sha1'),
        hash('pdq'),
        f.viewedByEsp,
        f.publiclyAvailable,
        f.industryClassification,
        f.annotations,
      ]
    }),
    { suffix: sql` returning id` },
  ).execute(tx)
  // One statement's rows come back in insertion order for a plain insert ... select.
  return (result.rows as { id: string }[]).map((row) => row.id)
}

async function insertIdentifiers(
  tx: Queryable,
  rows: readonly { referralId: string; documentId: string | null; identifier: ExtractedIdentifier }[],
) {
  if (rows.length === 0) return
  const prepared = rows.map((row) => {
    const normalised = normaliseIdentifier(row.identifier)
    return { ...row, normalised, value: normalised ?? row.identifier.value.trim() }
  })
  // Sorted, so two concurrent batches take the unique-index locks in the same order (no deadlock).
  // The sort key is built once per identifier, not twice per comparison.
  const distinct = [...new Map(prepared.map((p) => [`${p.identifier.kind}\u0000${p.value}`, p])).values()]
    .map((p) => ({ p, order: p.identifier.kind + p.value }))
    .sort((a, b) => (a.order < b.order ? -1 : 1))
    .map(({ p }) => p)
  const kinds = distinct.map((p) => p.identifier.kind)
  const values = distinct.map((p) => p.value)
  // 'do nothing' rather than a no-op update: known identifiers are not rewritten. New ones come back
  // with their ids; only the known ones are looked up, one probe each through the unique index (a
  // join against the whole table would grow with it).
  const inserted = await sql<{ id: string; kind: string; value: string }>`
    insert into identifiers (kind, value) select * from unnest(${kinds}::text[], ${values}::text[])
    on conflict (kind, value) do nothing returning id, kind, value`.execute(tx)
  const idOf = new Map(inserted.rows.map((r) => [`${r.kind}\u0000${r.value}`, r.id]))
  const known = distinct.filter((p) => !idOf.has(`${p.identifier.kind}\u0000${p.value}`))
  if (known.length > 0) {
    const found = await sql<{ id: string; kind: string; value: string }>`
      select i.id, u.kind, u.value
      from unnest(${known.map((p) => p.identifier.kind)}::text[], ${known.map((p) => p.value)}::text[]) as u(kind, value)
      cross join lateral (select id from identifiers where kind = u.kind and value = u.value) i`.execute(tx)
    for (const r of found.rows) idOf.set(`${r.kind}\u0000${r.value}`, r.id)
  }
  await bulkInsert(
    'referral_identifiers',
    [
      { name: 'referral_id', type: 'bigint' },
      { name: 'document_id', type: 'bigint' },
      { name: 'identifier_id', type: 'bigint' },
      { name: 'path', type: 'text' },
      { name: 'raw_value', type: 'text' },
      { name: 'role', type: 'text' },
      { name: 'person_index', type: 'int' },
      { name: 'observed_at', type: 'timestamptz' },
      { name: 'port', type: 'int' },
      { name: 'event', type: 'text' },
      { name: 'possible_proxy', type: 'boolean' },
      { name: 'value_type', type: 'text' },
      { name: 'verified', type: 'boolean' },
      { name: 'normalised', type: 'boolean' },
    ],
    prepared.map(({ referralId, documentId, identifier: i, normalised, value }) => [
      referralId,
      documentId,
      idOf.get(`${i.kind}\u0000${value}`),
      i.path,
      i.value,
      i.role,
      i.personIndex,
      i.observedAt,
      i.port,
      i.event,
      i.possibleProxy,
      i.valueType,
      i.verified,
      normalised !== null,
    ]),
  ).execute(tx)
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
