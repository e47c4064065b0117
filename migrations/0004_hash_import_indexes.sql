-- Fewer, narrower indexes on known_hashes. Every index is upkept row by row as an import inserts,
-- and a 1M-entry list spent most of its time there (docs/performance.md, "Hash-list import").

-- One index both enforces "one live entry per hash per set" and serves exact lookups by hash: the
-- hash leads, so lookups across sets use its prefix and the separate lookup index is not needed.
-- Queries by set alone use known_hashes_set.
create unique index known_hashes_live_hash on known_hashes(algorithm, value, hash_set_id)
  where withdrawn_at is null;
drop index known_hashes_lookup;
drop index known_hashes_live_in_set;

-- Rematching reads a change's added entries, index sync its added PDQ entries: one index serves
-- both (the algorithm is its second column) instead of two upkept on every insert.
create index known_hashes_added on known_hashes(added_change, algorithm);
drop index known_hashes_added_change;
drop index known_hashes_pdq_added;

-- Index sync looks up removed PDQ entries by their (non-null) change: new entries, which have none,
-- need not be indexed at all.
drop index known_hashes_pdq_removed;
create index known_hashes_pdq_removed on known_hashes(removed_change)
  where algorithm = 'pdq' and removed_change is not null;
