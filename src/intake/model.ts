/**
 * The normalised shape every referral format is read into. A parser only extracts what the document
 * says, each value with the path it came from; normalising identifiers and resolving subjects happen
 * later, so a parser stays a pure function of the document.
 */

export type ReferralSource = 'cybertipline-le-json' | 'cybertipline-xml' | 'p2p-csv' | 'partner'

/** Where in the party structure of the report a value was found. */
export type PartyRole =
  | 'reported_person'
  | 'intended_recipient'
  | 'child_victim'
  | 'file'
  | 'incident'
  | 'peer'

export type IdentifierKind = 'email' | 'phone' | 'account' | 'screen_name' | 'ip' | 'device'

export interface Provenance {
  /** JSON Pointer (RFC 6901) into a JSON document, an XPath-like path into XML, or `line N` for CSV. */
  path: string
}

export interface ExtractedIdentifier extends Provenance {
  kind: IdentifierKind
  /** Exactly as the document gives it. */
  value: string
  role: PartyRole
  /**
   * Index of the person within its role list (reportedPersons[0] → 0), when the value belongs to one.
   * For role 'file' (LE JSON upload captures) it is the index of the file in `files`, so an upload IP stays
   * tied to its file; null when the document has only one file (`<fileDetails>`).
   */
  personIndex: number | null
  /** For accounts and screen names: the platform or service the account is on. */
  platform: string | null
  /** For IPs and devices: when it was seen (ISO 8601), port, event (LOGIN, UPLOAD...), proxy flag. */
  observedAt: string | null
  port: number | null
  event: string | null
  possibleProxy: boolean | null
  /** For devices: IMEI, IDFA, GAID... */
  valueType: string | null
  verified: boolean | null
}

export interface ExtractedAddress extends Provenance {
  role: PartyRole
  personIndex: number | null
  street: string | null
  city: string | null
  region: string | null
  postcode: string | null
  country: string | null
  /** True for values a system inferred (NCMEC geolocation look-ups), never reported by the platform. */
  derived: boolean
}

export interface ExtractedPerson extends Provenance {
  role: PartyRole
  personIndex: number
  firstName: string | null
  lastName: string | null
  dateOfBirth: string | null
  approximateAge: string | null
  platform: string | null
  espUserId: string | null
  screenName: string | null
  displayNames: string[]
}

export interface ExtractedFileHash {
  algorithm: 'md5' | 'sha1' | 'pdq' | 'photodna' | 'other'
  value: string
  /** The document's own name for the hash type, kept verbatim. */
  label: string
}

export interface ExtractedFile extends Provenance {
  fileName: string | null
  originalFileName: string | null
  hashes: ExtractedFileHash[]
  /** Whether the platform looked at the file; must never be lost (legal process may depend on it). */
  viewedByEsp: boolean | null
  publiclyAvailable: boolean | null
  industryClassification: string | null
  annotations: string[]
}

export interface ReferralDocument {
  source: ReferralSource
  /** The source's own id (CyberTipline reportId); null when the format has none. */
  sourceReference: string | null
  incidentType: string | null
  incidentAt: string | null
  platform: string | null
  reportingOrganisation: string | null
  informational: boolean
  /** The platform's escalation text: its presence means the platform asked for high priority. */
  escalation: string | null
  /** Report-level flags such as sextortion, csamSolicitation. */
  annotations: string[]
  ncmecPriority: { id: string; label: string | null } | null
  /** Free text given with the referral (partner referrals); CyberTipline text stays in the document. */
  summary?: string | null
  persons: ExtractedPerson[]
  identifiers: ExtractedIdentifier[]
  addresses: ExtractedAddress[]
  files: ExtractedFile[]
}

/**
 * A refusal of one input, naming where it went wrong so a person can fix it. Nothing of a refused
 * input is ever written.
 */
export class RefusalError extends Error {
  constructor(
    /** What is wrong, in words a user can act on. */
    readonly reason: string,
    readonly where: { file?: string; record?: string; path?: string; line?: number; field?: string } = {},
  ) {
    super(describeRefusal(reason, where))
    this.name = 'RefusalError'
  }

  /** The same refusal, now knowing which file it came from. */
  inFile(file: string): RefusalError {
    return new RefusalError(this.reason, { ...this.where, file })
  }
}

function describeRefusal(reason: string, where: RefusalError['where']): string {
  const parts = [
    where.file && `file ${where.file}`,
    where.record && `record ${where.record}`,
    where.line !== undefined && `line ${where.line}`,
    where.path && `at ${where.path}`,
    where.field && `field ${where.field}`,
  ].filter(Boolean)
  return parts.length > 0 ? `${parts.join(', ')}: ${reason}` : reason
}
