// The COPY baseline of the ingest bench: the same rows intake writes per referral, as COPY text.
import type { ReadDocument } from '../src/intake/documents.js'

export const COPY_TABLES = [
  'referral_documents',
  'referrals',
  'referral_persons',
  'referral_identifiers',
  'referral_addresses',
  'referral_files',
] as const
type CopyTable = (typeof COPY_TABLES)[number]

const COLUMNS: Record<CopyTable, string> = {
  referral_documents: 'id, sha256, media_type, file_name, body',
  referrals:
    'id, source, idempotency_key, source_reference, document_id, incident_type, platform, informational, annotations',
  referral_persons: 'referral_id, path, role, person_index, first_name, last_name, esp_user_id',
  referral_identifiers: 'referral_id, identifier_id, kind, path, raw_value, role, person_index, normalised',
  referral_addresses: 'referral_id, path, role, street, postcode',
  referral_files: 'referral_id, path, file_name, md5, viewed_by_esp',
}

export function copyColumns(table: CopyTable): string {
  return COLUMNS[table]
}

function field(value: unknown): string {
  if (value === null || value === undefined) return '\\N'
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`
  if (Array.isArray(value))
    return `{${value.map((v) => `"${String(v).replace(/["\\]/g, '\\$&')}"`).join(',')}}`
  return String(value).replace(
    /[\\\t\n\r]/g,
    (c) => ({ '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' })[c] ?? c,
  )
}

const line = (values: unknown[]) => `${values.map(field).join('\t')}\n`

/** COPY text per table for every referral read, ids numbered from 1. */
export function copyRowsOf(read: readonly ReadDocument[]): Record<CopyTable, string> {
  const out: Record<CopyTable, string[]> = {
    referral_documents: [],
    referrals: [],
    referral_persons: [],
    referral_identifiers: [],
    referral_addresses: [],
    referral_files: [],
  }
  let id = 0
  for (const { referrals } of read) {
    for (const { document: d, referral: r, key } of referrals) {
      id++
      out.referral_documents.push(line([id, d.sha256, d.mediaType, d.fileName, d.body]))
      out.referrals.push(
        line([
          id,
          r.source,
          key,
          r.sourceReference,
          id,
          r.incidentType,
          r.platform,
          r.informational,
          r.annotations,
        ]),
      )
      for (const p of r.persons)
        out.referral_persons.push(
          line([id, p.path, p.role, p.personIndex, p.firstName, p.lastName, p.espUserId]),
        )
      for (const [k, i] of r.identifiers.entries()) {
        out.referral_identifiers.push(line([id, k + 1, i.kind, i.path, i.value, i.role, i.personIndex, true]))
      }
      for (const a of r.addresses)
        out.referral_addresses.push(line([id, a.path, a.role, a.street, a.postcode]))
      for (const f of r.files)
        out.referral_files.push(line([id, f.path, f.fileName, f.hashes[0]?.value ?? null, f.viewedByEsp]))
    }
  }
  return Object.fromEntries(COPY_TABLES.map((t) => [t, out[t].join('')])) as Record<CopyTable, string>
}
