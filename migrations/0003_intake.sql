-- Intake: every format, versions of re-sent reports, <fileDetails> attached to their report.

-- Where a document came from (CLI operator, API token, partner form) and in which format, beside
-- the verbatim bytes and their SHA-256 already kept.
alter table referral_documents add column format text;
alter table referral_documents add column received_via text;
-- For a ZIP bundle: the list of entries (name, sizes, CRC-32), never the media themselves.
alter table referral_documents add column manifest jsonb;

-- A re-sent report with changes is a new version linked to the one it replaces; both stay.
alter table referrals add column version int not null default 1;
alter table referrals add column supersedes_referral_id bigint references referrals(id);
-- SHA-256 of what the parser read (not the bytes): a re-send differing only in layout is the same.
alter table referrals add column content_sha256 text;
-- Free text a partner agency gives with its referral.
alter table referrals add column summary text;
alter table referrals drop constraint referrals_source_idempotency_key_key;
alter table referrals add constraint referrals_source_key_version unique (source, idempotency_key, version);
create index referrals_source_reference on referrals(source_reference);
create index referrals_supersedes on referrals(supersedes_referral_id);

-- Rows a later document added to a referral (a <fileDetails>) name that document; null means the
-- referral's own document.
alter table referral_files add column document_id bigint references referral_documents(id);
alter table referral_identifiers add column document_id bigint references referral_documents(id);

-- One <fileDetails> per report and fileId: a re-send is a duplicate, not a second file.
create table referral_file_details (
  id bigint generated always as identity primary key,
  referral_id bigint not null references referrals(id),
  file_id text not null,
  document_id bigint not null references referral_documents(id),
  referral_file_id bigint not null references referral_files(id),
  unique (referral_id, file_id)
);
