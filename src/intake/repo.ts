import type { Queryable } from '../platform/db.js'
import { normaliseIdentifier } from '../subjects/normalise.js'
import type { ReferralDocument } from './model.js'

export interface StoredDocument {
  sha256: string
  mediaType: string
  fileName: string | null
  body: Buffer
}

/**
 * Inserts the verbatim document and the referral. Returns null when the idempotency key already
 * exists (a concurrent ingest of the same report won), having removed the document it just wrote.
 */
export async function insertReferral(
  tx: Queryable,
  stored: StoredDocument,
  referral: ReferralDocument,
  idempotencyKey: string,
  operationId: string | null,
): Promise<string | null> {
  const document = await tx
    .insertInto('referral_documents')
    .values({
      sha256: stored.sha256,
      media_type: stored.mediaType,
      file_name: stored.fileName,
      body: stored.body,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const row = await tx
    .insertInto('referrals')
    .values({
      source: referral.source,
      idempotency_key: idempotencyKey,
      source_reference: referral.sourceReference,
      document_id: document.id,
      operation_id: operationId,
      incident_type: referral.incidentType,
      incident_at: referral.incidentAt,
      platform: referral.platform,
      reporting_organisation: referral.reportingOrganisation,
      informational: referral.informational,
      escalation: referral.escalation,
      annotations: referral.annotations,
      ncmec_priority: referral.ncmecPriority?.id ?? null,
      ncmec_priority_label: referral.ncmecPriority?.label ?? null,
    })
    .onConflict((oc) => oc.columns(['source', 'idempotency_key']).doNothing())
    .returning('id')
    .executeTakeFirst()
  if (row) return row.id
  await tx.deleteFrom('referral_documents').where('id', '=', document.id).execute()
  return null
}

export async function findReferralByKey(
  db: Queryable,
  source: string,
  idempotencyKey: string,
): Promise<{ id: string; sha256: string } | undefined> {
  return db
    .selectFrom('referrals')
    .innerJoin('referral_documents', 'referral_documents.id', 'referrals.document_id')
    .select(['referrals.id', 'referral_documents.sha256'])
    .where('referrals.source', '=', source)
    .where('referrals.idempotency_key', '=', idempotencyKey)
    .executeTakeFirst()
}

/** Everything the document says about people, identifiers, addresses and files, each with its path. */
export async function insertReferralContents(tx: Queryable, referralId: string, referral: ReferralDocument) {
  if (referral.persons.length > 0) {
    await tx
      .insertInto('referral_persons')
      .values(
        referral.persons.map((p) => ({
          referral_id: referralId,
          path: p.path,
          role: p.role,
          person_index: p.personIndex,
          first_name: p.firstName,
          last_name: p.lastName,
          date_of_birth: p.dateOfBirth,
          approximate_age: p.approximateAge,
          platform: p.platform,
          esp_user_id: p.espUserId,
          screen_name: p.screenName,
          display_names: p.displayNames,
        })),
      )
      .execute()
  }
  await insertIdentifiers(tx, referralId, referral)
  if (referral.addresses.length > 0) {
    await tx
      .insertInto('referral_addresses')
      .values(
        referral.addresses.map((a) => ({
          referral_id: referralId,
          path: a.path,
          role: a.role,
          person_index: a.personIndex,
          street: a.street,
          city: a.city,
          region: a.region,
          postcode: a.postcode,
          country: a.country,
          derived: a.derived,
        })),
      )
      .execute()
  }
  if (referral.files.length > 0) {
    await tx
      .insertInto('referral_files')
      .values(
        referral.files.map((f) => {
          const hash = (algorithm: string) =>
            f.hashes.find((h) => h.algorithm === algorithm)?.value.toLowerCase() ?? null
          return {
            referral_id: referralId,
            path: f.path,
            file_name: f.fileName,
            original_file_name: f.originalFileName,
            md5: hash('md5'),
            sha1: hash('sha1'),
            pdq: hash('pdq'),
            viewed_by_esp: f.viewedByEsp,
            publicly_available: f.publiclyAvailable,
            industry_classification: f.industryClassification,
            annotations: f.annotations,
          }
        }),
      )
      .execute()
  }
}

async function insertIdentifiers(tx: Queryable, referralId: string, referral: ReferralDocument) {
  if (referral.identifiers.length === 0) return
  const prepared = referral.identifiers.map((identifier) => {
    const normalised = normaliseIdentifier(identifier)
    return { identifier, normalised, value: normalised ?? identifier.value.trim() }
  })
  const distinct = [...new Map(prepared.map((p) => [`${p.identifier.kind}\u0000${p.value}`, p])).values()]
  // 'do update' (a no-op) rather than 'do nothing' so existing rows come back with their ids too.
  const rows = await tx
    .insertInto('identifiers')
    .values(distinct.map((p) => ({ kind: p.identifier.kind, value: p.value })))
    .onConflict((oc) =>
      oc.columns(['kind', 'value']).doUpdateSet((eb) => ({ kind: eb.ref('excluded.kind') })),
    )
    .returning(['id', 'kind', 'value'])
    .execute()
  const idOf = new Map(rows.map((r) => [`${r.kind}\u0000${r.value}`, r.id]))
  await tx
    .insertInto('referral_identifiers')
    .values(
      prepared.map(({ identifier: i, normalised, value }) => ({
        referral_id: referralId,
        identifier_id: idOf.get(`${i.kind}\u0000${value}`)!,
        path: i.path,
        raw_value: i.value,
        role: i.role,
        person_index: i.personIndex,
        observed_at: i.observedAt,
        port: i.port,
        event: i.event,
        possible_proxy: i.possibleProxy,
        value_type: i.valueType,
        verified: i.verified,
        normalised: normalised !== null,
      })),
    )
    .execute()
}
