/**
 * Partner referrals: another agency (a force, the NCA, an overseas partner) refers a suspect by
 * form or by the JSON API. Both produce the same JSON document, which is what is stored verbatim,
 * so a referral typed into the form and one posted by a partner's system are read identically.
 */
import { parsePostcode } from '../locating/postcode.js'
import { normaliseEmail, normalisePhone } from '../subjects/normalise.js'
import type { ExtractedIdentifier, ReferralDocument } from './model.js'
import { RefusalError } from './model.js'

export interface PartnerReferral {
  partnerAgency: string
  reference: string
  emails: string[]
  phones: string[]
  accounts: { platform: string; account: string }[]
  street: string | null
  city: string | null
  postcode: string | null
  summary: string
  fileHashes: string[]
}

/** Field name (as the form and the JSON name it) to what is wrong with it. */
export type PartnerFieldErrors = Record<string, string>

const HASH = /^(?:[0-9a-f]{32}|[0-9a-f]{40})$/

/** A JSON object with a partnerAgency is a partner referral; anything else JSON is CyberTipline. */
export function isPartnerReferral(text: string): boolean {
  // Cheap test first: CyberTipline reports (the bulk of intake) are not parsed twice.
  if (!text.includes('"partnerAgency"')) return false
  try {
    const value: unknown = JSON.parse(text)
    return typeof value === 'object' && value !== null && 'partnerAgency' in value
  } catch {
    return false
  }
}

const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '')
const texts = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).map(text).filter((v) => v !== '')

/** Checks a submission field by field, as the form's error summary lists them. */
export function checkPartnerReferral(input: Record<string, unknown>): {
  referral: PartnerReferral
  errors: PartnerFieldErrors
} {
  const errors: PartnerFieldErrors = {}
  const accounts = (Array.isArray(input.accounts) ? input.accounts : [])
    .map((a: unknown) => (typeof a === 'object' && a !== null ? (a as Record<string, unknown>) : {}))
    .map((a) => ({ platform: text(a.platform), account: text(a.account) }))
    .filter((a) => a.platform !== '' || a.account !== '')
  const referral: PartnerReferral = {
    partnerAgency: text(input.partnerAgency),
    reference: text(input.reference),
    emails: texts(input.emails),
    phones: texts(input.phones),
    accounts,
    street: text(input.street) || null,
    city: text(input.city) || null,
    postcode: text(input.postcode) || null,
    summary: text(input.summary),
    fileHashes: texts(input.fileHashes).map((h) => h.toLowerCase()),
  }
  if (!referral.partnerAgency) errors.partnerAgency = 'Enter the partner agency'
  if (!referral.reference) errors.reference = "Enter the partner agency's reference"
  referral.emails.forEach((email) => {
    if (!normaliseEmail(email))
      errors.emails = `Enter an email address in the correct format, like name@example.com (not ${email})`
  })
  referral.phones.forEach((phone) => {
    if (!normalisePhone(phone))
      errors.phones = `Enter a phone number, like 07700 900 982 or +44 7700 900 982 (not ${phone})`
  })
  accounts.forEach((a) => {
    if (!a.platform || !a.account)
      errors.accounts = 'Enter both the platform and the account for each account'
  })
  if (referral.emails.length + referral.phones.length + accounts.length === 0)
    errors.emails =
      'Enter at least one suspect identifier: an email address, phone number or platform account'
  if (referral.postcode && !parsePostcode(referral.postcode))
    errors.postcode = 'Enter a real postcode, like DT1 1AA'
  if (!referral.summary) errors.summary = 'Enter a summary of what the suspect is believed to have done'
  else if (referral.summary.length > 5000) errors.summary = 'Summary must be 5,000 characters or fewer'
  referral.fileHashes.forEach((hash) => {
    if (!HASH.test(hash))
      errors.fileHashes = `Enter each file hash as an MD5 (32) or SHA-1 (40) hex value (not ${hash})`
  })
  return { referral, errors }
}

/** The stored document: the checked fields in a fixed order, so the same referral hashes the same. */
export function partnerDocumentBody(referral: PartnerReferral): Buffer {
  return Buffer.from(`${JSON.stringify(referral, null, 2)}\n`, 'utf8')
}

export function partnerKey(referral: PartnerReferral): string {
  return `${referral.partnerAgency}|${referral.reference}`
}

/** Reads a partner referral document, refusing it naming the first field that is wrong. */
export function readPartnerReferral(body: string): { referral: ReferralDocument; key: string } {
  const input: unknown = JSON.parse(body)
  const { referral, errors } = checkPartnerReferral(input as Record<string, unknown>)
  const [field, message] = Object.entries(errors)[0] ?? []
  if (field && message) throw new RefusalError(message, { path: `/${field}`, field })
  return { referral: toReferralDocument(referral), key: partnerKey(referral) }
}

function identifier(
  kind: ExtractedIdentifier['kind'],
  value: string,
  path: string,
  platform: string | null = null,
): ExtractedIdentifier {
  return {
    kind,
    value,
    path,
    platform,
    role: 'reported_person',
    personIndex: 0,
    observedAt: null,
    port: null,
    event: null,
    possibleProxy: null,
    valueType: null,
    verified: null,
  }
}

export function toReferralDocument(p: PartnerReferral): ReferralDocument {
  return {
    source: 'partner',
    sourceReference: p.reference,
    incidentType: 'Partner referral',
    incidentAt: null,
    platform: p.accounts[0]?.platform ?? null,
    reportingOrganisation: p.partnerAgency,
    informational: false,
    escalation: null,
    annotations: [],
    ncmecPriority: null,
    summary: p.summary,
    persons: [],
    identifiers: [
      ...p.emails.map((v, i) => identifier('email', v, `/emails/${i}`)),
      ...p.phones.map((v, i) => identifier('phone', v, `/phones/${i}`)),
      ...p.accounts.map((a, i) => identifier('account', a.account, `/accounts/${i}`, a.platform)),
    ],
    addresses:
      p.postcode || p.street || p.city
        ? [
            {
              path: '/postcode',
              role: 'reported_person',
              personIndex: 0,
              street: p.street,
              city: p.city,
              region: null,
              postcode: p.postcode,
              country: 'GB',
              derived: false,
            },
          ]
        : [],
    files: p.fileHashes.map((hash, i) => ({
      path: `/fileHashes/${i}`,
      fileName: null,
      originalFileName: null,
      hashes: [
        {
          algorithm: hash.length === 32 ? 'md5' : 'sha1',
          value: hash,
          label: hash.length === 32 ? 'MD5' : 'SHA1',
        },
      ],
      viewedByEsp: null,
      publiclyAvailable: null,
      industryClassification: null,
      annotations: [],
    })),
  }
}
