-- Core schema: reference data, people and access, audit, referrals and what they say,
-- known hashes, subjects, packages, outcomes and operations.

create table forces (
  id text primary key,
  name text not null,
  ons_code text not null unique,
  country text not null
);

create table postcode_districts (
  district text primary key,
  area text not null,
  force_id text references forces(id),
  status text not null,
  confidence text not null
);

create table postcode_areas (
  area text primary key,
  primary_force_id text not null references forces(id),
  primary_share numeric not null
);

create type user_role as enum ('national_analyst', 'national_coordinator', 'force_spoc', 'investigator', 'auditor');

create table users (
  id bigint generated always as identity primary key,
  username text not null unique,
  display_name text not null,
  role user_role not null,
  force_id text references forces(id),
  password_hash text not null,
  disabled boolean not null default false,
  created_at timestamptz not null default now(),
  -- Force roles belong to a force; national roles and auditors do not.
  constraint users_force_for_force_roles check (
    (role in ('force_spoc', 'investigator')) = (force_id is not null)
  )
);

create table sessions (
  -- sha256 of the cookie value: a leaked table does not give working sessions.
  id_hash text primary key,
  user_id bigint not null references users(id),
  csrf_token text not null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user on sessions(user_id);

create table api_tokens (
  id bigint generated always as identity primary key,
  name text not null unique,
  token_hash text not null unique,
  scope text not null default 'intake',
  created_at timestamptz not null default now(),
  revoked_at timestamptz
);

create table audit_events (
  id bigint generated always as identity primary key,
  at timestamptz not null default now(),
  actor_user_id bigint references users(id),
  actor_token_id bigint references api_tokens(id),
  -- 'system' for jobs and the CLI run by an operator on the server.
  actor_label text not null,
  action text not null,
  record_type text not null,
  record_id text,
  force_id text references forces(id),
  details jsonb not null default '{}'
);
create index audit_events_record on audit_events(record_type, record_id);
create index audit_events_at on audit_events(at);

create table operations (
  id bigint generated always as identity primary key,
  code text not null unique,
  name text not null,
  started_on date not null,
  created_at timestamptz not null default now()
);

create table referral_documents (
  id bigint generated always as identity primary key,
  sha256 text not null,
  media_type text not null,
  file_name text,
  body bytea not null,
  received_at timestamptz not null default now()
);
create index referral_documents_sha on referral_documents(sha256);

create type referral_status as enum ('received', 'matched', 'resolved', 'located', 'unlocated', 'triaged', 'failed');

create table referrals (
  id bigint generated always as identity primary key,
  source text not null,
  -- reportId for CyberTipline; otherwise the document's sha256.
  idempotency_key text not null,
  source_reference text,
  document_id bigint not null references referral_documents(id),
  operation_id bigint references operations(id),
  status referral_status not null default 'received',
  received_at timestamptz not null default now(),
  incident_type text,
  incident_at timestamptz,
  platform text,
  reporting_organisation text,
  informational boolean not null default false,
  escalation text,
  annotations text[] not null default '{}',
  ncmec_priority text,
  ncmec_priority_label text,
  subject_id bigint,
  unique (source, idempotency_key)
);
create index referrals_subject on referrals(subject_id);
create index referrals_operation on referrals(operation_id);

create table referral_persons (
  id bigint generated always as identity primary key,
  referral_id bigint not null references referrals(id),
  path text not null,
  role text not null,
  person_index int not null,
  first_name text,
  last_name text,
  date_of_birth text,
  approximate_age text,
  platform text,
  esp_user_id text,
  screen_name text,
  display_names text[] not null default '{}'
);
create index referral_persons_referral on referral_persons(referral_id);

create table identifiers (
  id bigint generated always as identity primary key,
  kind text not null,
  -- Normalised: lower-case e-mail, E.164 phone, 'platform|account id', canonical IP text.
  value text not null,
  unique (kind, value)
);

create table referral_identifiers (
  id bigint generated always as identity primary key,
  referral_id bigint not null references referrals(id),
  identifier_id bigint not null references identifiers(id),
  path text not null,
  raw_value text not null,
  role text not null,
  person_index int,
  observed_at timestamptz,
  port int,
  event text,
  possible_proxy boolean,
  value_type text,
  verified boolean,
  -- False when the raw value could not be normalised (kept, shown, never used to link).
  normalised boolean not null
);
create index referral_identifiers_referral on referral_identifiers(referral_id);
create index referral_identifiers_identifier on referral_identifiers(identifier_id);

create table referral_addresses (
  id bigint generated always as identity primary key,
  referral_id bigint not null references referrals(id),
  path text not null,
  role text not null,
  person_index int,
  street text,
  city text,
  region text,
  postcode text,
  country text,
  derived boolean not null default false
);
create index referral_addresses_referral on referral_addresses(referral_id);

create table referral_files (
  id bigint generated always as identity primary key,
  referral_id bigint not null references referrals(id),
  path text not null,
  file_name text,
  original_file_name text,
  md5 text,
  sha1 text,
  pdq text,
  viewed_by_esp boolean,
  publicly_available boolean,
  industry_classification text,
  annotations text[] not null default '{}'
);
create index referral_files_referral on referral_files(referral_id);
create index referral_files_md5 on referral_files(md5);

create table hash_sets (
  id bigint generated always as identity primary key,
  name text not null unique,
  source text not null,
  handling text not null default 'OFFICIAL-SENSITIVE',
  version text,
  enabled boolean not null default true,
  created_at timestamptz not null default now()
);

create type image_category as enum ('A', 'B', 'C', 'not_indecent', 'uncategorised');

create table known_hashes (
  id bigint generated always as identity primary key,
  hash_set_id bigint not null references hash_sets(id),
  algorithm text not null check (algorithm in ('md5', 'sha1', 'pdq')),
  value text not null,
  category image_category not null,
  series text,
  victim_identified boolean,
  source_reference text,
  added_at timestamptz not null default now(),
  withdrawn_at timestamptz
);
create index known_hashes_lookup on known_hashes(algorithm, value) where withdrawn_at is null;
create index known_hashes_set on known_hashes(hash_set_id);

create table file_matches (
  referral_file_id bigint not null references referral_files(id),
  known_hash_id bigint not null references known_hashes(id),
  algorithm text not null,
  distance int not null default 0,
  matched_at timestamptz not null default now(),
  primary key (referral_file_id, known_hash_id)
);

create type subject_status as enum ('unlocated', 'located');

create table subjects (
  id bigint generated always as identity primary key,
  reference text generated always as ('S-' || lpad(id::text, 6, '0')) stored,
  status subject_status not null default 'unlocated',
  force_id text references forces(id),
  postcode text,
  location_method text,
  location_confidence text,
  location_reason text,
  merged_into bigint references subjects(id),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index subjects_force on subjects(force_id);
create index subjects_status on subjects(status) where merged_into is null;

alter table referrals add constraint referrals_subject_fk foreign key (subject_id) references subjects(id);

create table subject_addresses (
  id bigint generated always as identity primary key,
  subject_id bigint not null references subjects(id),
  street text,
  city text,
  postcode text not null,
  entered_by bigint not null references users(id),
  entered_at timestamptz not null default now(),
  note text
);

create type band as enum ('very_high', 'high', 'medium', 'low');
create type package_status as enum ('awaiting_review', 'disseminated', 'acknowledged', 'closed');

create table packages (
  id bigint generated always as identity primary key,
  reference text generated always as ('FP-' || lpad(id::text, 6, '0')) stored,
  subject_id bigint not null references subjects(id),
  force_id text not null references forces(id),
  operation_id bigint references operations(id),
  status package_status not null default 'awaiting_review',
  suggested_band band not null,
  band band not null,
  band_reasons jsonb not null,
  band_change_reason text,
  version int not null default 1,
  created_at timestamptz not null default now(),
  approved_by bigint references users(id),
  disseminated_at timestamptz,
  acknowledged_at timestamptz,
  acknowledged_by bigint references users(id)
);
create index packages_force_status on packages(force_id, status);
create index packages_status on packages(status);
-- One open (not yet disseminated) package per subject: new referrals join it.
create unique index packages_one_open_per_subject on packages(subject_id) where status = 'awaiting_review';

-- Which referrals each package version holds: a version is what the force was sent.
create table package_referrals (
  package_id bigint not null references packages(id),
  referral_id bigint not null references referrals(id),
  primary key (package_id, referral_id)
);
create index package_referrals_referral on package_referrals(referral_id);

create type outcome_kind as enum (
  'arrest', 'voluntary_interview', 'charge', 'caution', 'bail', 'released_under_investigation',
  'no_further_action', 'children_safeguarded', 'premises_searched', 'devices_seized'
);

create table outcomes (
  id bigint generated always as identity primary key,
  package_id bigint not null references packages(id),
  force_id text not null references forces(id),
  kind outcome_kind not null,
  occurred_on date not null,
  children int check (children is null or children > 0),
  offence text,
  bail_until date,
  note text,
  recorded_by bigint references users(id),
  recorded_at timestamptz not null default now(),
  constraint outcomes_children_only_for_safeguarding check ((kind = 'children_safeguarded') = (children is not null))
);
create index outcomes_package on outcomes(package_id);
create index outcomes_force on outcomes(force_id);
