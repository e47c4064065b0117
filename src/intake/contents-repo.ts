/** Storing what a referral's document says: persons, identifiers, addresses and files, each with its path. */
import { sql } from 'kysely'
import { allocateIds } from '../platform/bulk-insert.js'
import { copyRows } from '../platform/copy.js'
import type { Queryable } from '../platform/db.js'
import { normaliseIdentifier } from '../subjects/normalise.js'
import type { ExtractedFile, ExtractedIdentifier, ReferralDocument } from './model.js'

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
export function contentCountColumns(referral: ReferralDocument): [number, number] {
  const { files, childVictims } = contentCounts(referral)
  return [files, childVictims]
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
  await copyRows(
    tx,
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
  )
  await insertIdentifiers(
    tx,
    items.flatMap(({ referralId, documentId, referral }) =>
      referral.identifiers.map((identifier) => ({ referralId, documentId, identifier })),
    ),
  )
  const addresses = items.flatMap(({ referralId, referral }) =>
    referral.addresses.map((a) => ({ referralId, a })),
  )
  await copyRows(
    tx,
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
  )
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
  // Ids first, so the rows can go in by COPY and callers still learn each file's id.
  const ids = await allocateIds(tx, 'referral_files', files.length)
  await copyRows(
    tx,
    'referral_files',
    [
      { name: 'id', type: 'bigint' },
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
    files.map(({ referralId, documentId, file: f }, index) => {
      const hash = (algorithm: string) =>
        f.hashes.find((h) => h.algorithm === algorithm)?.value.toLowerCase() ?? null
      return [
        ids[index],
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
  )
  return ids
}

async function insertIdentifiers(
  tx: Queryable,
  rows: readonly { referralId: string; documentId: string | null; identifier: ExtractedIdentifier }[],
) {
  if (rows.length === 0) return
  // The key is built once per row: it finds the identifier's id below, for 6 rows a referral.
  const prepared = rows.map(({ referralId, documentId, identifier }) => {
    const normalised = normaliseIdentifier(identifier)
    const value = normalised ?? identifier.value.trim()
    return { referralId, documentId, identifier, normalised, value, key: `${identifier.kind}\u0000${value}` }
  })
  // Sorted, so two concurrent batches take the unique-index locks in the same order (no deadlock).
  // The sort key is built once per identifier, not twice per comparison.
  const distinct = [...new Map(prepared.map((p) => [p.key, p])).values()]
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
  const known = distinct.filter((p) => !idOf.has(p.key))
  if (known.length > 0) {
    const found = await sql<{ id: string; kind: string; value: string }>`
      select i.id, u.kind, u.value
      from unnest(${known.map((p) => p.identifier.kind)}::text[], ${known.map((p) => p.value)}::text[]) as u(kind, value)
      cross join lateral (select id from identifiers where kind = u.kind and value = u.value) i`.execute(tx)
    for (const r of found.rows) idOf.set(`${r.kind}\u0000${r.value}`, r.id)
  }
  await copyRows(
    tx,
    'referral_identifiers',
    [
      { name: 'referral_id', type: 'bigint' },
      { name: 'document_id', type: 'bigint' },
      { name: 'identifier_id', type: 'bigint' },
      { name: 'kind', type: 'text' },
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
    prepared.map(({ referralId, documentId, identifier: i, normalised, key }) => [
      referralId,
      documentId,
      idOf.get(key),
      i.kind,
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
  )
}
