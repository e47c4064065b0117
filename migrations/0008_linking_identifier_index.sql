-- Identifier look-ups split by whether the row can link (issue 5, docs/decisions/0004 item 15).
--
-- Linking finds the subjects of referrals whose reported person has an identifier, and must not go
-- through a row that names someone else (an intended recipient, a child). With one index on
-- (identifier_id, referral_id) that role check was a heap visit per row, which doubled the look-up's
-- time over 1M referrals (21 s to 43 s of statement time). Two partial indexes with the same key,
-- one for the rows that can link and one for all the others, hold each row exactly once, so writing
-- costs what the one index cost; linking reads only the first, and whoever wants every role (the cap's
-- count, deconfliction) reads both.
create index referral_identifiers_linking on referral_identifiers(identifier_id, referral_id)
  where normalised and role = 'reported_person';
create index referral_identifiers_other on referral_identifiers(identifier_id, referral_id)
  where not (normalised and role = 'reported_person');
drop index referral_identifiers_identifier_referral;
