-- What subject linking knows of each e-mail, phone and account, kept by the resolver (issue 5,
-- docs/decisions/0004 item 15).
--
-- Linking needs two facts about each identifier a new referral's reported person has: how many
-- referrals name it (in any role; more than 25 and it is a hub that links no one) and which subject
-- the reported persons already holding it belong to. Both were read from referral_identifiers every
-- batch: a count up to the cap, then every naming referral's row, its role and its referral's
-- subject. At 1M referrals that was 85 s of about 400 s of statement time, growing with how often an
-- identifier recurs. The resolver is the only writer (one at a time, under its advisory lock), and
-- it counts each referral once, when it resolves it, so both facts are one primary-key probe.
--
-- `referrals` counts resolved referrals only: one still waiting is counted when it is resolved.
-- `subject_id` is the subject this identifier last linked into; a later merge can leave it naming
-- the merged subject, which readers follow through `subjects.merged_into` to the live one.
create table identifier_links (
  identifier_id bigint primary key references identifiers(id),
  referrals int not null check (referrals >= 0),
  subject_id bigint references subjects(id)
) with (fillfactor = 70);

-- Filled from what is already resolved. Under the cap, every reported person holding an identifier
-- was linked through it, so their referrals share one live subject (referrals always name the live
-- subject: merges move them); over the cap the subject is never read.
insert into identifier_links (identifier_id, referrals, subject_id)
select ri.identifier_id,
  count(distinct ri.referral_id)::int,
  min(r.subject_id) filter (where ri.normalised and ri.role = 'reported_person')
from referral_identifiers ri
join identifiers i on i.id = ri.identifier_id and i.kind in ('email', 'phone', 'account')
join referrals r on r.id = ri.referral_id and r.subject_id is not null
group by ri.identifier_id;
