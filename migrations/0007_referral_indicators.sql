-- What triage needs of each referral, kept on the referral (issue 5, docs/decisions/0004 item 13).
--
-- Every batch re-assesses the subjects it touches, and a subject's band depends on all its current
-- referrals: how many files and child victims each reports, and which files match the library.
-- Counting those from referral_files, referral_persons and file_matches took seven index probes per
-- referral of every touched subject, every time the subject grew (88 % of the buffers the assessment
-- read at 1M referrals). The counts are fixed when a referral's contents are stored (a <fileDetails>
-- adds to them); `has_file_matches` turns true when the first match of any of its files is recorded
-- and never turns false (file_matches rows are never deleted: withdrawn entries and disabled sets are
-- filtered when counting), so only referrals with matches are walked to their categories.
alter table referrals
  add column file_count int not null default 0,
  add column child_victim_count int not null default 0,
  add column has_file_matches boolean not null default false;

update referrals r set
  file_count = (select count(*) from referral_files f where f.referral_id = r.id),
  child_victim_count = (select count(*) from referral_persons p where p.referral_id = r.id and p.role = 'child_victim'),
  has_file_matches = exists (select 1 from referral_files f join file_matches m on m.referral_file_id = f.id
    where f.referral_id = r.id);
