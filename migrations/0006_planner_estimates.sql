-- Planner estimates for batch lookups (issue 5, docs/decisions/0004).
--
-- Every pipeline stage reads by a batch of ids: `referrals where subject_id = any(500 subjects)`,
-- `referral_files where referral_id = any(500 referrals)`. Postgres sizes such a lookup from the
-- column's number of distinct values as of the last ANALYZE. During a bulk intake that figure lags
-- far behind the table (a subject column still mostly empty, a child table analysed at a tenth of
-- its size), the planner expected 20,000 rows where there were 500, and it read whole tables per
-- batch. A negative n_distinct is a ratio to the row count, so it grows with the table: these say
-- what the domain says, that a subject has a few referrals and a referral a few files, persons,
-- addresses and identifiers. Overestimating the ratio only makes index lookups look cheaper, which
-- they are for a batch.
alter table referrals alter column subject_id set (n_distinct = -0.5);
alter table referral_files alter column referral_id set (n_distinct = -0.2);
alter table referral_identifiers alter column referral_id set (n_distinct = -0.1);
alter table referral_persons alter column referral_id set (n_distinct = -0.5);
alter table referral_addresses alter column referral_id set (n_distinct = -0.5);

-- The settings take effect at the next ANALYZE; on a database that already holds referrals, now.
analyze referrals (subject_id);
analyze referral_files (referral_id);
analyze referral_identifiers (referral_id);
analyze referral_persons (referral_id);
analyze referral_addresses (referral_id);
