import { actorLabel, type UserActor } from '../access/model.js'
import type { Db } from '../platform/db.js'
import {
  checkPartnerReferral,
  type PartnerFieldErrors,
  type PartnerReferral,
  partnerDocumentBody,
} from './partner.js'
import { type IngestOutcome, ingestDocuments } from './service.js'

/** The form's fields, as posted: one of each identifier kind, hashes one per line. */
export interface PartnerForm {
  partnerAgency?: string
  reference?: string
  email?: string
  phone?: string
  platform?: string
  account?: string
  street?: string
  city?: string
  postcode?: string
  summary?: string
  fileHashes?: string
}

export function formToSubmission(form: PartnerForm): Record<string, unknown> {
  return {
    ...form,
    emails: form.email ? [form.email] : [],
    phones: form.phone ? [form.phone] : [],
    accounts: form.platform || form.account ? [{ platform: form.platform, account: form.account }] : [],
    fileHashes: (form.fileHashes ?? '').split(/[\s,]+/).filter(Boolean),
  }
}

/**
 * A partner referral typed into the form: checked field by field, then stored as the same JSON
 * document a partner's system would post, through the same intake (versions, pipeline, audit).
 */
export async function submitPartnerReferral(
  db: Db,
  actor: UserActor,
  form: PartnerForm,
): Promise<{ errors: PartnerFieldErrors; referral: PartnerReferral; outcome: IngestOutcome | null }> {
  const { referral, errors } = checkPartnerReferral(formToSubmission(form))
  if (Object.keys(errors).length > 0) return { errors, referral, outcome: null }
  const { refusals, outcomes } = await ingestDocuments(
    db,
    actor,
    [
      {
        fileName: `partner-form/${referral.partnerAgency}/${referral.reference}.json`,
        body: partnerDocumentBody(referral),
      },
    ],
    { receivedVia: `partner-form:${actorLabel(actor)}` },
  )
  const [refusal] = refusals
  if (refusal)
    return { errors: { [refusal.where.field ?? 'summary']: refusal.reason }, referral, outcome: null }
  return { errors, referral, outcome: outcomes[0] ?? null }
}
