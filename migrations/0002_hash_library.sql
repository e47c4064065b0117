-- The known-image hash library: imports with their counts, entry history (added, superseded,
-- withdrawn, never deleted), and a change log each process follows to keep its in-memory PDQ index
-- current without rebuilding it.

alter table hash_sets add column updated_at timestamptz not null default now();

-- One row per library change a matcher must apply: an import, a withdrawal, a set enabled or
-- disabled. Entries point at the change that added or removed them, so one log row stands for any
-- number of entries (a 1M-entry import is one row, not a million).
create table hash_library_changes (
  seq bigint generated always as identity primary key,
  at timestamptz not null default now(),
  hash_set_id bigint not null references hash_sets(id),
  kind text not null check (kind in ('import', 'withdrawal', 'set_enabled', 'set_disabled'))
);

create table hash_imports (
  id bigint generated always as identity primary key,
  hash_set_id bigint not null references hash_sets(id),
  change_seq bigint not null references hash_library_changes(seq),
  format text not null check (format in ('vics', 'pdq', 'ncmec', 'csv')),
  file_name text,
  partial boolean not null,
  replace boolean not null,
  entries_read int not null,
  entries_added int not null,
  entries_unchanged int not null,
  entries_superseded int not null,
  entries_withdrawn int not null,
  entries_rejected int not null,
  actor_label text not null,
  imported_at timestamptz not null default now()
);
create index hash_imports_set on hash_imports(hash_set_id);

alter table known_hashes
  add column quality smallint check (quality between 0 and 100),
  add column source_category text,
  add column import_id bigint references hash_imports(id),
  add column added_change bigint references hash_library_changes(seq),
  add column removed_change bigint references hash_library_changes(seq),
  add column superseded_by bigint references known_hashes(id),
  add column withdrawal_reason text;

-- Earlier loads could hold one hash twice in a set: keep the first live, withdraw the rest.
update known_hashes k set withdrawn_at = now(), withdrawal_reason = 'duplicate of an earlier entry in the set'
where k.withdrawn_at is null and exists (
  select 1 from known_hashes e
  where e.hash_set_id = k.hash_set_id and e.algorithm = k.algorithm and e.value = k.value
    and e.withdrawn_at is null and e.id < k.id);

-- One live entry per hash per set: a changed entry supersedes the old row (kept as history).
create unique index known_hashes_live_in_set on known_hashes(hash_set_id, algorithm, value)
  where withdrawn_at is null;
-- Index sync reads the PDQ entries a change added or removed, and the start-up build pages by id.
create index known_hashes_pdq_added on known_hashes(added_change) where algorithm = 'pdq';
create index known_hashes_pdq_removed on known_hashes(removed_change) where algorithm = 'pdq';
create index known_hashes_pdq_live on known_hashes(id) where algorithm = 'pdq' and withdrawn_at is null;
create index known_hashes_added_change on known_hashes(added_change);

-- Rematching after a library change looks files up by SHA-1 and scans PDQ-bearing files.
create index referral_files_sha1 on referral_files(sha1);
create index referral_files_pdq on referral_files(id) where pdq is not null;
create index file_matches_known_hash on file_matches(known_hash_id);
