/**
 * Stores read documents, one batch per transaction, with one statement per table for the whole
 * batch. Per referral: the verbatim document, the referral under its idempotency key (a re-send
 * with the same content is a duplicate; with other content, a new version superseding the last),
 * everything it says with its path, an audit row, and — in the same commit — the first pipeline job.
 */
import type { Actor } from '../access/model.js'
import { type AuditEntry, recordAuditMany } from '../audit/service.js'
import { matchReferralsJob } from '../matching/jobs.js'
import { allocateIds } from '../platform/bulk-insert.js'
import { planForBatchLookups, type Tx } from '../platform/db.js'
import { enqueue } from '../platform/queue.js'
import { restoreRowTriggers, skipRowTriggers } from '../platform/row-triggers.js'
import { insertReferralContents } from './contents-repo.js'
import type { ReadDocument, ReadFileDetails, ReadReferral, ReceivedDocument } from './documents.js'
import { attachFileDetails } from './file-details.js'
import { RefusalError } from './model.js'
import { deleteDocuments, insertDocuments, insertReferrals, storedVersions } from './repo.js'

export type IngestOutcome =
  | {
      status: 'accepted'
      fileName: string
      referralId: string
      sourceReference: string | null
      version: number
      supersedes: string | null
    }
  | {
      status: 'duplicate'
      fileName: string
      referralId: string
      sourceReference: string | null
      changed: false
    }
  | {
      status: 'attached' | 'already-attached'
      fileName: string
      referralId: string
      sourceReference: string
      fileId: string
    }

export interface StoreOptions {
  operationId?: string | null
  /** Who or what delivered the documents, kept with each: 'cli:alice', 'api:token 3', 'partner-form'. */
  receivedVia?: string
}

interface Latest {
  id: string
  version: number
  /** Content and byte hashes of every stored version, to the version's id. */
  known: Map<string, string>
}

const keyOf = (item: ReadReferral) => `${item.referral.source}\u0000${item.key}`

/** Stores one batch in the caller's transaction. */
export async function storeBatch(
  tx: Tx,
  actor: Actor,
  batch: readonly ReadDocument[],
  options: StoreOptions = {},
): Promise<IngestOutcome[]> {
  const outcomes: IngestOutcome[] = []
  const accepted: string[] = []
  const audit: AuditEntry[] = []
  let pending: ReadReferral[] = batch.flatMap((document) => document.referrals)
  await planForBatchLookups(tx)
  // Foreign-key checks were the largest single cost of storing (three per identifier row). Every key
  // the rounds write is a row this transaction inserted (document, referral) or an identifier, and
  // identifiers are never deleted (migration 0005 makes a delete fail).
  const skipped = await skipRowTriggers(tx)
  while (pending.length > 0) {
    // Two versions of one report in the same batch go in successive rounds, so the second can name the first.
    pending = await storeRound(tx, pending, options, outcomes, accepted, audit)
  }
  await restoreRowTriggers(tx, skipped)
  const details: ReadFileDetails[] = batch.flatMap((document) => document.fileDetails)
  const attached = await attachFileDetails(tx, details, options.receivedVia ?? null)
  outcomes.push(...attached.outcomes)
  audit.push(...attached.audit)
  await recordAuditMany(tx, actor, audit)
  const toMatch = [...accepted, ...attached.referralIds]
  if (toMatch.length > 0) await enqueue(tx, matchReferralsJob, { referralIds: toMatch })
  return outcomes
}

async function storeRound(
  tx: Tx,
  items: readonly ReadReferral[],
  options: StoreOptions,
  outcomes: IngestOutcome[],
  accepted: string[],
  audit: AuditEntry[],
): Promise<ReadReferral[]> {
  const latest = new Map<string, Latest>()
  for (const v of await storedVersions(
    tx,
    items.map((item) => ({ source: item.referral.source, key: item.key })),
  )) {
    const entry = latest.get(`${v.source}\u0000${v.key}`) ?? { id: v.id, version: 0, known: new Map() }
    if (v.contentSha256) entry.known.set(v.contentSha256, v.id)
    entry.known.set(v.sha256, v.id)
    if (v.version >= entry.version) Object.assign(entry, { id: v.id, version: v.version })
    latest.set(`${v.source}\u0000${v.key}`, entry)
  }
  const deferred: ReadReferral[] = []
  const fresh: { item: ReadReferral; version: number; supersedes: string | null }[] = []
  const inRound = new Map<string, ReadReferral>()
  for (const item of items) {
    const stored = latest.get(keyOf(item))
    const same = stored?.known.get(item.contentSha256) ?? stored?.known.get(item.document.sha256)
    if (same) {
      outcomes.push(duplicate(item, same))
      continue
    }
    const earlier = inRound.get(keyOf(item))
    if (earlier) {
      if (earlier.contentSha256 !== item.contentSha256) deferred.push(item)
      else fresh.push({ item, version: -1, supersedes: null })
      continue
    }
    inRound.set(keyOf(item), item)
    fresh.push({ item, version: (stored?.version ?? 0) + 1, supersedes: stored?.id ?? null })
  }
  const storing = fresh.filter((f) => f.version > 0)
  const ids = await allocateIds(tx, 'referrals', storing.length)
  const documents = [...new Set(storing.map((f) => f.item.document))]
  const documentIds = await allocateIds(tx, 'referral_documents', documents.length)
  const documentIdOf = new Map<ReceivedDocument, string>(documents.map((d, i) => [d, documentIds[i]!]))
  await insertDocuments(
    tx,
    documents.map((document) => ({
      id: documentIdOf.get(document)!,
      document,
      receivedVia: options.receivedVia ?? 'unknown',
    })),
  )
  const rows = storing.map((f, i) => ({
    id: ids[i]!,
    documentId: documentIdOf.get(f.item.document)!,
    key: f.item.key,
    contentSha256: f.item.contentSha256,
    version: f.version,
    supersedes: f.supersedes,
    operationId: options.operationId ?? null,
    referral: f.item.referral,
  }))
  const inserted = await insertReferrals(tx, rows)
  const raced = rows.filter((row) => !inserted.has(row.id))
  if (raced.length > 0) {
    // Another intake stored these first: theirs stand; these become duplicates of them.
    const used = new Set(rows.filter((row) => inserted.has(row.id)).map((row) => row.documentId))
    await deleteDocuments(
      tx,
      [...new Set(raced.map((row) => row.documentId))].filter((id) => !used.has(id)),
    )
  }
  const stored = rows.filter((row) => inserted.has(row.id))
  await insertReferralContents(
    tx,
    stored.map((row) => ({ referralId: row.id, documentId: null, referral: row.referral })),
  )
  const idByKey = new Map<string, string>()
  for (const [i, f] of storing.entries()) {
    const row = rows[i]!
    if (!inserted.has(row.id)) {
      deferred.push(f.item)
      continue
    }
    idByKey.set(keyOf(f.item), row.id)
    accepted.push(row.id)
    outcomes.push({
      status: 'accepted',
      fileName: f.item.document.fileName,
      referralId: row.id,
      sourceReference: f.item.referral.sourceReference,
      version: row.version,
      supersedes: row.supersedes,
    })
    audit.push({
      action: row.version > 1 ? 'referral.new-version' : 'referral.ingested',
      recordType: 'referral',
      recordId: row.id,
      details: {
        source: f.item.referral.source,
        sourceReference: f.item.referral.sourceReference,
        sha256: f.item.document.sha256,
        version: row.version,
        ...(row.supersedes ? { supersedes: row.supersedes } : {}),
      },
    })
  }
  for (const f of fresh.filter((f) => f.version < 0)) {
    const id = idByKey.get(keyOf(f.item))
    if (id) outcomes.push(duplicate(f.item, id))
    else deferred.push(f.item)
  }
  if (deferred.length === items.length) throw new RefusalError('the batch could not be stored; send it again')
  return deferred
}

function duplicate(item: ReadReferral, referralId: string): IngestOutcome {
  return {
    status: 'duplicate',
    fileName: item.document.fileName,
    referralId,
    sourceReference: item.referral.sourceReference,
    changed: false,
  }
}
