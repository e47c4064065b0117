import { createHash } from 'node:crypto'
import type { Actor } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import { matchReferralsJob } from '../matching/jobs.js'
import type { Db } from '../platform/db.js'
import { enqueue } from '../platform/queue.js'
import { parseLeJson } from './formats/le-json.js'
import { type ReferralDocument, RefusalError } from './model.js'
import { findReferralByKey, insertReferral, insertReferralContents } from './repo.js'

export interface IncomingDocument {
  /** The file name as given (CLI path or upload name); named in every refusal. */
  fileName: string
  body: Buffer
}

export interface ParsedDocument {
  incoming: IncomingDocument
  sha256: string
  referral: ReferralDocument
}

export type IngestOutcome =
  | { status: 'accepted'; fileName: string; referralId: string; sourceReference: string | null }
  | {
      status: 'duplicate'
      fileName: string
      referralId: string
      sourceReference: string | null
      changed: boolean
    }

/**
 * Parses one document, or throws a RefusalError naming the file. Only the CyberTipline
 * law-enforcement JSON is read so far; other formats are refused by name rather than guessed at.
 */
export function parseIncoming(incoming: IncomingDocument): ParsedDocument {
  const sha256 = createHash('sha256').update(incoming.body).digest('hex')
  if (incoming.body.length === 0) throw new RefusalError('the file is empty', { file: incoming.fileName })
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(incoming.body)
  } catch {
    throw new RefusalError('the file is not UTF-8 text, so it is not a CyberTipline JSON report', {
      file: incoming.fileName,
    })
  }
  try {
    return { incoming, sha256, referral: parseLeJson(text) }
  } catch (error) {
    if (error instanceof RefusalError) throw error.inFile(incoming.fileName)
    throw error
  }
}

function idempotencyKey(parsed: ParsedDocument): string {
  return parsed.referral.sourceReference ?? `sha256:${parsed.sha256}`
}

/**
 * Stores parsed documents in one transaction: each verbatim with its SHA-256, the referral once per
 * source key, everything it says with its path, an audit row, and the first pipeline job. A document
 * already received is reported as a duplicate and not stored again.
 */
export async function storeReferrals(
  db: Db,
  actor: Actor,
  parsed: ParsedDocument[],
  options: { operationId?: string | null } = {},
): Promise<IngestOutcome[]> {
  return db.transaction().execute(async (tx) => {
    const outcomes: IngestOutcome[] = []
    const accepted: string[] = []
    for (const p of parsed) {
      const key = idempotencyKey(p)
      const stored = {
        sha256: p.sha256,
        mediaType: 'application/json',
        fileName: p.incoming.fileName,
        body: p.incoming.body,
      }
      const existing = await findReferralByKey(tx, p.referral.source, key)
      const referralId = existing
        ? null
        : await insertReferral(tx, stored, p.referral, key, options.operationId ?? null)
      if (referralId === null) {
        const winner = existing ?? (await findReferralByKey(tx, p.referral.source, key))!
        outcomes.push({
          status: 'duplicate',
          fileName: p.incoming.fileName,
          referralId: winner.id,
          sourceReference: p.referral.sourceReference,
          changed: winner.sha256 !== p.sha256,
        })
        continue
      }
      await insertReferralContents(tx, referralId, p.referral)
      await recordAudit(tx, actor, {
        action: 'referral.ingested',
        recordType: 'referral',
        recordId: referralId,
        details: { source: p.referral.source, sourceReference: p.referral.sourceReference, sha256: p.sha256 },
      })
      accepted.push(referralId)
      outcomes.push({
        status: 'accepted',
        fileName: p.incoming.fileName,
        referralId,
        sourceReference: p.referral.sourceReference,
      })
    }
    if (accepted.length > 0) await enqueue(tx, matchReferralsJob, { referralIds: accepted })
    return outcomes
  })
}

/**
 * The whole intake of a set of files: every file is parsed first, and if any is refused nothing at
 * all is written — the caller gets every refusal at once to fix and re-send.
 */
export async function ingestDocuments(
  db: Db,
  actor: Actor,
  incoming: IncomingDocument[],
  options: { operationId?: string | null } = {},
): Promise<{ refusals: RefusalError[]; outcomes: IngestOutcome[] }> {
  const refusals: RefusalError[] = []
  const parsed: ParsedDocument[] = []
  for (const document of incoming) {
    try {
      parsed.push(parseIncoming(document))
    } catch (error) {
      if (!(error instanceof RefusalError)) throw error
      refusals.push(error)
    }
  }
  if (refusals.length > 0) return { refusals, outcomes: [] }
  return { refusals, outcomes: await storeReferrals(db, actor, parsed, options) }
}
