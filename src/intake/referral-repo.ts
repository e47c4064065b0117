import { sql } from 'kysely'
import type { Queryable } from '../platform/db.js'

export async function findReferral(db: Queryable, id: string) {
  return db
    .selectFrom('referrals')
    .innerJoin('referral_documents as d', 'd.id', 'referrals.document_id')
    .leftJoin('subjects', 'subjects.id', 'referrals.subject_id')
    .select([
      'referrals.id',
      'referrals.source',
      'referrals.source_reference as sourceReference',
      'referrals.idempotency_key as idempotencyKey',
      'referrals.status',
      'referrals.received_at as receivedAt',
      'referrals.version',
      'referrals.supersedes_referral_id as supersedes',
      'referrals.incident_type as incidentType',
      'referrals.incident_at as incidentAt',
      'referrals.platform',
      'referrals.reporting_organisation as reportingOrganisation',
      'referrals.escalation',
      'referrals.summary',
      'referrals.subject_id as subjectId',
      'subjects.reference as subjectReference',
    ])
    .where('referrals.id', '=', id)
    .executeTakeFirst()
}

/** Other versions of the same report, so the page can link the chain both ways. */
export async function versionsOf(db: Queryable, id: string) {
  const result = await sql<{ id: string; version: number; receivedAt: Date }>`
    select r.id, r.version, r.received_at as "receivedAt" from referrals r
    join referrals me on me.source = r.source and me.idempotency_key = r.idempotency_key
    where me.id = ${id} order by r.version`.execute(db)
  return result.rows
}

/** The referral's own document and those that added to it (<fileDetails>); never their bodies. */
export async function documentsOf(db: Queryable, id: string) {
  const result = await sql<{
    id: string
    fileName: string | null
    sha256: string
    mediaType: string
    format: string | null
    receivedVia: string | null
    receivedAt: Date
    bytes: number
    manifestEntries: number | null
  }>`
    select d.id, d.file_name as "fileName", d.sha256, d.media_type as "mediaType", d.format,
      d.received_via as "receivedVia", d.received_at as "receivedAt", octet_length(d.body) as bytes,
      jsonb_array_length(d.manifest) as "manifestEntries"
    from referral_documents d
    where d.id = (select document_id from referrals where id = ${id})
       or d.id in (select document_id from referral_file_details where referral_id = ${id})
    order by d.id`.execute(db)
  return result.rows
}

export interface ExtractedRow {
  table: string
  path: string
  documentId: string | null
  what: string
  value: string
}

/** Every row extracted from the documents, with the path it came from (provenance). */
export async function extractedRowsOf(db: Queryable, id: string): Promise<ExtractedRow[]> {
  const result = await sql<ExtractedRow>`
    select 'person' as "table", path, null::text as "documentId", role as what,
      concat_ws(' ', first_name, last_name, nullif(concat_ws(', ', esp_user_id, screen_name), '')) as value
      from referral_persons where referral_id = ${id}
    union all
    select 'identifier', ri.path, ri.document_id::text, ri.role || ' ' || i.kind,
      ri.raw_value || case when ri.normalised and ri.raw_value <> i.value then ' (' || i.value || ')' else '' end
      from referral_identifiers ri join identifiers i on i.id = ri.identifier_id where ri.referral_id = ${id}
    union all
    select 'address', path, null, role || case when derived then ' (derived)' else '' end,
      concat_ws(', ', street, city, region, postcode, country)
      from referral_addresses where referral_id = ${id}
    union all
    select 'file', path, document_id::text, 'file',
      concat_ws(' ', coalesce(original_file_name, file_name), 'md5 ' || md5, 'sha1 ' || sha1)
      from referral_files where referral_id = ${id}
    order by 1, 2`.execute(db)
  return result.rows
}

/** A document's bytes, only if it belongs to this referral. */
export async function documentBody(db: Queryable, referralId: string, documentId: string) {
  return db
    .selectFrom('referral_documents')
    .select(['id', 'body', 'media_type as mediaType', 'file_name as fileName', 'sha256'])
    .where('id', '=', documentId)
    .where((eb) =>
      eb.or([
        eb('id', 'in', eb.selectFrom('referrals').select('document_id').where('id', '=', referralId)),
        eb(
          'id',
          'in',
          eb.selectFrom('referral_file_details').select('document_id').where('referral_id', '=', referralId),
        ),
      ]),
    )
    .executeTakeFirst()
}
