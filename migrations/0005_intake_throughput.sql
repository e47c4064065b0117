-- Intake throughput (issue 5).
--
-- Evidence is never deleted: a referral, the operation it belongs to and the identifiers it names
-- stay for as long as the database does. The guards make that a rule of the schema, which is also
-- what lets intake and the pipeline stages skip per-row foreign-key checks for keys pointing at these
-- tables (src/platform/row-triggers.ts): a row that can never be deleted needs no lock against it.
create function refuse_delete() returns trigger language plpgsql as $$
begin
  raise exception '% rows are never deleted', tg_table_name using errcode = 'restrict_violation';
end
$$;
create trigger referrals_never_deleted before delete on referrals
  for each statement execute function refuse_delete();
create trigger identifiers_never_deleted before delete on identifiers
  for each statement execute function refuse_delete();
create trigger operations_never_deleted before delete on operations
  for each statement execute function refuse_delete();
-- Likewise the pipeline's own records (a merged subject is kept, pointing at the survivor; a package
-- is closed, never removed) and the forces they name.
create trigger subjects_never_deleted before delete on subjects
  for each statement execute function refuse_delete();
create trigger packages_never_deleted before delete on packages
  for each statement execute function refuse_delete();
create trigger forces_never_deleted before delete on forces
  for each statement execute function refuse_delete();

-- Each referral's status moves on three times after it is stored (matched, located, triaged). Room
-- on every page lets those updates be heap-only (no index touched): status is in no index.
alter table referrals set (fillfactor = 60);

-- Subject linking counts the referrals naming an identifier, up to a cap: in referral order straight
-- off the index it stops at the cap, and it needs no heap visit.
create index referral_identifiers_identifier_referral on referral_identifiers(identifier_id, referral_id);
drop index referral_identifiers_identifier;

-- Audit rows arrive in time order and are never updated: a block-range index finds a period as well
-- as a b-tree for a fraction of the upkeep (intake writes three or four audit rows per referral).
drop index audit_events_at;
create index audit_events_at on audit_events using brin (at);

-- Most referrals belong to no operation and are a first version: partial indexes hold only the rows
-- they can find, so storing a referral (and moving it to its subject, which touches every index)
-- upkeeps two indexes fewer. Lookups by equality still use them.
drop index referrals_operation;
create index referrals_operation on referrals(operation_id) where operation_id is not null;
drop index referrals_supersedes;
create index referrals_supersedes on referrals(supersedes_referral_id) where supersedes_referral_id is not null;
-- A referral has no subject only between intake and linking: nothing looks those up by index.
drop index referrals_subject;
create index referrals_subject on referrals(subject_id) where subject_id is not null;

-- Drafting looks up every package of a subject (sent ones, and the latest version); only the one
-- awaiting review had an index, so the others were found by reading the whole table, which grew with it.
create index packages_subject on packages(subject_id);
