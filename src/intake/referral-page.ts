import type { UserActor } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import type { Db } from '../platform/db.js'
import { NotFoundError } from '../platform/errors.js'
import { documentBody, documentsOf, extractedRowsOf, findReferral, versionsOf } from './referral-repo.js'

/** A referral as national users see it: status, provenance of every extracted row. The view is audited. */
export async function viewReferral(db: Db, actor: UserActor, id: string) {
  return db.transaction().execute(async (tx) => {
    const referral = await findReferral(tx, id)
    if (!referral) throw new NotFoundError('referral', id)
    const [versions, documents, extracted] = await Promise.all([
      versionsOf(tx, id),
      documentsOf(tx, id),
      extractedRowsOf(tx, id),
    ])
    await recordAudit(tx, actor, { action: 'referral.viewed', recordType: 'referral', recordId: id })
    return { referral, versions, documents, extracted }
  })
}

/** The verbatim document, exactly as received; each download is audited with the document's hash. */
export async function downloadReferralDocument(
  db: Db,
  actor: UserActor,
  referralId: string,
  documentId: string,
) {
  return db.transaction().execute(async (tx) => {
    const document = await documentBody(tx, referralId, documentId)
    if (!document) throw new NotFoundError('referral document', documentId)
    await recordAudit(tx, actor, {
      action: 'referral.document-downloaded',
      recordType: 'referral',
      recordId: referralId,
      details: { documentId, sha256: document.sha256 },
    })
    return document
  })
}
