/**
 * A CyberTipline `<fileDetails>` describes one uploaded file of a report, naming the report by its
 * reportId. It attaches to the latest stored version of the CyberTipline report whose source
 * reference is that reportId: an LE JSON report carries its own; an XML `<report>` is given the
 * reportId NCMEC returned on submission (`footprint ingest --report-id`, or the `reportId` field of an
 * upload). A `<fileDetails>` naming a report not received is refused before anything is written.
 */
import type { AuditEntry } from '../audit/service.js'
import { allocateIds } from '../platform/bulk-insert.js'
import type { Queryable, Tx } from '../platform/db.js'
import { insertReferralContents } from './contents-repo.js'
import type { ReadDocument, ReadFileDetails } from './documents.js'
import { RefusalError } from './model.js'
import { attachedFileDetails, insertDocuments, reportsByReference } from './repo.js'
import type { IngestOutcome } from './store.js'

/** Refusals for every `<fileDetails>` naming a report neither stored nor in this run. */
export async function refuseUnknownReports(
  db: Queryable,
  read: readonly ReadDocument[],
): Promise<RefusalError[]> {
  const details = read.flatMap((document) =>
    document.fileDetails.map((d) => ({ reportId: d.details.reportId, fileName: d.document.fileName })),
  )
  return refuseUnknownReportIds(db, details, reportsInRun(read))
}

/** The source references (reportIds) of the reports among these documents. */
export function reportsInRun(read: readonly ReadDocument[]): Set<string> {
  return new Set(
    read.flatMap((document) =>
      document.referrals.map((r) => r.referral.sourceReference).filter((r) => r !== null),
    ),
  )
}

/** refuseUnknownReports for a run read in parts: the reportIds named, and the reports the run holds. */
export async function refuseUnknownReportIds(
  db: Queryable,
  details: readonly { reportId: string; fileName: string }[],
  inRun: ReadonlySet<string>,
): Promise<RefusalError[]> {
  if (details.length === 0) return []
  const stored = await reportsByReference(
    db,
    details.map((d) => d.reportId),
  )
  return details
    .filter((d) => !inRun.has(d.reportId) && !stored.has(d.reportId))
    .map(
      (d) =>
        new RefusalError(
          `no CyberTipline report ${d.reportId} has been received, so this file cannot be attached to it; ` +
            'send the report first (an XML <report> with the reportId NCMEC gave it)',
          { file: d.fileName, path: '/fileDetails/reportId[1]', field: 'reportId' },
        ),
    )
}

export async function attachFileDetails(
  tx: Tx,
  details: readonly ReadFileDetails[],
  receivedVia: string | null,
): Promise<{ outcomes: IngestOutcome[]; audit: AuditEntry[]; referralIds: string[] }> {
  const result = { outcomes: [] as IngestOutcome[], audit: [] as AuditEntry[], referralIds: [] as string[] }
  if (details.length === 0) return result
  const reports = await reportsByReference(
    tx,
    details.map((d) => d.details.reportId),
  )
  const targets = details.map((d) => {
    const referralId = reports.get(d.details.reportId)
    if (!referralId)
      throw new RefusalError(`no CyberTipline report ${d.details.reportId} has been received`, {
        file: d.document.fileName,
        field: 'reportId',
      })
    return { d, referralId }
  })
  const done = await attachedFileDetails(
    tx,
    targets.map((t) => ({ referralId: t.referralId, fileId: t.d.details.fileId })),
  )
  const seen = new Set<string>()
  const fresh = targets.filter((t) => {
    const pair = `${t.referralId}/${t.d.details.fileId}`
    const already = done.has(pair) || seen.has(pair)
    seen.add(pair)
    if (already)
      result.outcomes.push({
        status: 'already-attached',
        fileName: t.d.document.fileName,
        referralId: t.referralId,
        sourceReference: t.d.details.reportId,
        fileId: t.d.details.fileId,
      })
    return !already
  })
  if (fresh.length === 0) return result
  const documentIds = await allocateIds(tx, 'referral_documents', fresh.length)
  await insertDocuments(
    tx,
    fresh.map((t, i) => ({
      id: documentIds[i]!,
      document: t.d.document,
      receivedVia: receivedVia ?? 'unknown',
    })),
  )
  const fileIds = await insertReferralContents(
    tx,
    fresh.map((t, i) => ({
      referralId: t.referralId,
      documentId: documentIds[i]!,
      referral: {
        persons: [],
        addresses: [],
        identifiers: t.d.details.identifiers,
        files: [t.d.details.file],
      },
    })),
  )
  await tx
    .insertInto('referral_file_details')
    .values(
      fresh.map((t, i) => ({
        referral_id: t.referralId,
        file_id: t.d.details.fileId,
        document_id: documentIds[i]!,
        referral_file_id: fileIds[i]!,
      })),
    )
    .execute()
  for (const t of fresh) {
    result.outcomes.push({
      status: 'attached',
      fileName: t.d.document.fileName,
      referralId: t.referralId,
      sourceReference: t.d.details.reportId,
      fileId: t.d.details.fileId,
    })
    result.audit.push({
      action: 'referral.file-details-attached',
      recordType: 'referral',
      recordId: t.referralId,
      details: { fileId: t.d.details.fileId, sha256: t.d.document.sha256 },
    })
  }
  result.referralIds = [...new Set(fresh.map((t) => t.referralId))]
  return result
}
