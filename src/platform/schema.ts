import type { ColumnType, Generated, Insertable, Selectable } from 'kysely'

// Kysely table types for migrations/*.sql. Kept by hand beside the SQL: a column added there is added here.

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>
type Id = Generated<string>

export type UserRole = 'national_analyst' | 'national_coordinator' | 'force_spoc' | 'investigator' | 'auditor'
export type Band = 'very_high' | 'high' | 'medium' | 'low'
export type PackageStatus = 'awaiting_review' | 'disseminated' | 'acknowledged' | 'closed'
export type ReferralStatus =
  | 'received'
  | 'matched'
  | 'resolved'
  | 'located'
  | 'unlocated'
  | 'triaged'
  | 'failed'
export type ImageCategory = 'A' | 'B' | 'C' | 'not_indecent' | 'uncategorised'
export type OutcomeKind =
  | 'arrest'
  | 'voluntary_interview'
  | 'charge'
  | 'caution'
  | 'bail'
  | 'released_under_investigation'
  | 'no_further_action'
  | 'children_safeguarded'
  | 'premises_searched'
  | 'devices_seized'

export interface ForcesTable {
  id: string
  name: string
  ons_code: string
  country: string
}

export interface PostcodeDistrictsTable {
  district: string
  area: string
  force_id: string | null
  status: string
  confidence: string
}

export interface PostcodeAreasTable {
  area: string
  primary_force_id: string
  primary_share: string
}

export interface UsersTable {
  id: Id
  username: string
  display_name: string
  role: UserRole
  force_id: string | null
  password_hash: string
  disabled: Generated<boolean>
  created_at: Generated<Date>
}

export interface SessionsTable {
  id_hash: string
  user_id: string
  csrf_token: string
  created_at: Generated<Date>
  expires_at: Timestamp
}

export interface ApiTokensTable {
  id: Id
  name: string
  token_hash: string
  scope: Generated<string>
  created_at: Generated<Date>
  revoked_at: Date | null
}

export interface AuditEventsTable {
  id: Id
  at: Generated<Date>
  actor_user_id: string | null
  actor_token_id: string | null
  actor_label: string
  action: string
  record_type: string
  record_id: string | null
  force_id: string | null
  details: ColumnType<unknown, string | undefined, string>
}

export interface OperationsTable {
  id: Id
  code: string
  name: string
  started_on: string
  created_at: Generated<Date>
}

export interface ReferralDocumentsTable {
  id: Id
  sha256: string
  media_type: string
  file_name: string | null
  body: Buffer
  received_at: Generated<Date>
  format: string | null
  received_via: string | null
  manifest: unknown | null
}

export interface ReferralsTable {
  id: Id
  source: string
  idempotency_key: string
  source_reference: string | null
  document_id: string
  operation_id: string | null
  status: Generated<ReferralStatus>
  received_at: Generated<Date>
  incident_type: string | null
  incident_at: Date | string | null
  platform: string | null
  reporting_organisation: string | null
  informational: boolean
  escalation: string | null
  annotations: string[]
  ncmec_priority: string | null
  ncmec_priority_label: string | null
  subject_id: string | null
  version: Generated<number>
  supersedes_referral_id: string | null
  content_sha256: string | null
  summary: string | null
  /** Files and child victims its contents name (a <fileDetails> adds to them), for triage. */
  file_count: Generated<number>
  child_victim_count: Generated<number>
  /** True once any of its files has a recorded match; never reset (see migration 0007). */
  has_file_matches: Generated<boolean>
}

export interface ReferralPersonsTable {
  id: Id
  referral_id: string
  path: string
  role: string
  person_index: number
  first_name: string | null
  last_name: string | null
  date_of_birth: string | null
  approximate_age: string | null
  platform: string | null
  esp_user_id: string | null
  screen_name: string | null
  display_names: string[]
}

export interface IdentifiersTable {
  id: Id
  kind: string
  value: string
}

/** Kept by the resolver only: referrals counted when resolved, and the subject last linked into. */
export interface IdentifierLinksTable {
  identifier_id: string
  referrals: number
  subject_id: string | null
}

export interface ReferralIdentifiersTable {
  id: Id
  referral_id: string
  identifier_id: string
  kind: string
  path: string
  raw_value: string
  role: string
  person_index: number | null
  observed_at: Date | string | null
  port: number | null
  event: string | null
  possible_proxy: boolean | null
  value_type: string | null
  verified: boolean | null
  normalised: boolean
  document_id: Generated<string | null>
}

export interface ReferralAddressesTable {
  id: Id
  referral_id: string
  path: string
  role: string
  person_index: number | null
  street: string | null
  city: string | null
  region: string | null
  postcode: string | null
  country: string | null
  derived: boolean
}

export interface ReferralFilesTable {
  id: Id
  referral_id: string
  path: string
  file_name: string | null
  original_file_name: string | null
  md5: string | null
  sha1: string | null
  pdq: string | null
  viewed_by_esp: boolean | null
  publicly_available: boolean | null
  industry_classification: string | null
  annotations: string[]
  document_id: Generated<string | null>
}

export interface ReferralFileDetailsTable {
  id: Id
  referral_id: string
  file_id: string
  document_id: string
  referral_file_id: string
}

export interface HashSetsTable {
  id: Id
  name: string
  source: string
  handling: Generated<string>
  version: string | null
  enabled: Generated<boolean>
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export type HashLibraryChangeKind = 'import' | 'withdrawal' | 'set_enabled' | 'set_disabled'

export interface HashLibraryChangesTable {
  seq: Id
  at: Generated<Date>
  hash_set_id: string
  kind: HashLibraryChangeKind
}

export type HashListFormat = 'vics' | 'pdq' | 'ncmec' | 'csv'

export interface HashImportsTable {
  id: Id
  hash_set_id: string
  change_seq: string
  format: HashListFormat
  file_name: string | null
  partial: boolean
  replace: boolean
  entries_read: number
  entries_added: number
  entries_unchanged: number
  entries_superseded: number
  entries_withdrawn: number
  entries_rejected: number
  actor_label: string
  imported_at: Generated<Date>
}

export interface KnownHashesTable {
  id: Id
  hash_set_id: string
  algorithm: 'md5' | 'sha1' | 'pdq'
  value: string
  category: ImageCategory
  series: string | null
  victim_identified: boolean | null
  source_reference: string | null
  added_at: Generated<Date>
  withdrawn_at: Date | null
  quality: number | null
  source_category: string | null
  import_id: string | null
  added_change: string | null
  removed_change: string | null
  superseded_by: string | null
  withdrawal_reason: string | null
}

export interface FileMatchesTable {
  referral_file_id: string
  known_hash_id: string
  algorithm: string
  distance: Generated<number>
  matched_at: Generated<Date>
}

export interface SubjectsTable {
  id: Id
  reference: Generated<string>
  status: Generated<'unlocated' | 'located'>
  force_id: string | null
  postcode: string | null
  location_method: string | null
  location_confidence: string | null
  location_reason: string | null
  merged_into: string | null
  created_at: Generated<Date>
  updated_at: Generated<Date>
}

export interface SubjectAddressesTable {
  id: Id
  subject_id: string
  street: string | null
  city: string | null
  postcode: string
  entered_by: string
  entered_at: Generated<Date>
  note: string | null
}

export interface PackagesTable {
  id: Id
  reference: Generated<string>
  subject_id: string
  force_id: string
  operation_id: string | null
  status: Generated<PackageStatus>
  suggested_band: Band
  band: Band
  band_reasons: ColumnType<unknown, string, string>
  band_change_reason: string | null
  version: Generated<number>
  created_at: Generated<Date>
  approved_by: string | null
  disseminated_at: Date | null
  acknowledged_at: Date | null
  acknowledged_by: string | null
}

export interface PackageReferralsTable {
  package_id: string
  referral_id: string
}

export interface OutcomesTable {
  id: Id
  package_id: string
  force_id: string
  kind: OutcomeKind
  occurred_on: string
  children: number | null
  offence: string | null
  bail_until: string | null
  note: string | null
  recorded_by: string | null
  recorded_at: Generated<Date>
}

export interface Database {
  forces: ForcesTable
  postcode_districts: PostcodeDistrictsTable
  postcode_areas: PostcodeAreasTable
  users: UsersTable
  sessions: SessionsTable
  api_tokens: ApiTokensTable
  audit_events: AuditEventsTable
  operations: OperationsTable
  referral_documents: ReferralDocumentsTable
  referrals: ReferralsTable
  referral_persons: ReferralPersonsTable
  identifiers: IdentifiersTable
  referral_identifiers: ReferralIdentifiersTable
  identifier_links: IdentifierLinksTable
  referral_addresses: ReferralAddressesTable
  referral_files: ReferralFilesTable
  referral_file_details: ReferralFileDetailsTable
  hash_sets: HashSetsTable
  known_hashes: KnownHashesTable
  hash_library_changes: HashLibraryChangesTable
  hash_imports: HashImportsTable
  file_matches: FileMatchesTable
  subjects: SubjectsTable
  subject_addresses: SubjectAddressesTable
  packages: PackagesTable
  package_referrals: PackageReferralsTable
  outcomes: OutcomesTable
}

export type Row<T extends keyof Database> = Selectable<Database[T]>
export type NewRow<T extends keyof Database> = Insertable<Database[T]>
