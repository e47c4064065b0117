-- Two reads of the pipeline that grew with how often people recur (issue 5, docs/decisions/0004
-- items 16-17).

-- Each identifier row says what kind it is, so linking reads an unresolved referral's e-mails,
-- phones and accounts without a look-up per row in `identifiers` (six primary-key probes a referral,
-- about a third of what linking read), and the index by identifier holds only the kinds that link
-- and deconflict. IP addresses, devices and screen names are most rows in real reports (a report
-- carries an IP capture per upload) and nothing reads them by identifier: indexing them was half of
-- the largest index intake writes into, at random places.
alter table referral_identifiers add column kind text;
update referral_identifiers ri set kind = i.kind from identifiers i where i.id = ri.identifier_id;
alter table referral_identifiers alter column kind set not null;
create index referral_identifiers_linking on referral_identifiers(identifier_id, referral_id)
  where kind in ('email', 'phone', 'account');
drop index referral_identifiers_identifier_referral;

-- A subject's referrals newest first, so locating can read only the newest few (a subject's newest
-- report with an address almost always locates it) instead of every referral's addresses each time
-- the subject grows.
create index referrals_subject_newest on referrals(subject_id, received_at desc, id desc)
  where subject_id is not null;
drop index referrals_subject;
alter index referrals_subject_newest rename to referrals_subject;
