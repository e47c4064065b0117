import { sql } from 'kysely'
import type { Actor } from '../access/model.js'
import { systemActor } from '../access/model.js'
import { recordAudit, recordAuditMany } from '../audit/service.js'
import { anyId, type Db, type Tx } from '../platform/db.js'
import { NotFoundError, ValidationError } from '../platform/errors.js'
import { enqueue } from '../platform/queue.js'
import { restoreRowTriggers, skipRowTriggers } from '../platform/row-triggers.js'
import { locateSubjectsJob } from './jobs.js'
import { findPostcode, parsePostcode } from './postcode.js'
import { areaRows, candidateAddressesOf, districtRows, type SubjectCandidates } from './repo.js'
import { forceForPostcode, type Location } from './rules.js'

const LOCATOR = systemActor('locator')

export interface LocateResult {
  subjectId: string
  location: (Location & { postcode: string }) | null
  reason: string
}

/** Finds the force for one subject from its addresses, best first. Reads only. */
export async function locateSubject(db: Tx | Db, subjectId: string): Promise<LocateResult> {
  const [result] = await locateMany(db, [subjectId])
  return result!
}

// Most subjects are located by their newest report's address; see candidateAddressesOf.
const NEWEST_REFERRALS = 3

/**
 * locateSubject for many subjects: a fixed number of reads whatever their number. The newest few
 * referrals of each subject are tried first; only a subject none of them locates, and that has more,
 * is read whole, so the answer is the same as reading everything.
 */
async function locateMany(db: Tx | Db, subjectIds: readonly string[]): Promise<LocateResult[]> {
  const first = await candidateAddressesOf(db, subjectIds, NEWEST_REFERRALS)
  const results = await locateFrom(db, subjectIds, first)
  const unfinished = results
    .filter((r) => !r.location && !first.get(r.subjectId)!.complete)
    .map((r) => r.subjectId)
  if (unfinished.length === 0) return results
  const whole = new Map(
    (await locateFrom(db, unfinished, await candidateAddressesOf(db, unfinished))).map((r) => [
      r.subjectId,
      r,
    ]),
  )
  return results.map((r) => whole.get(r.subjectId) ?? r)
}

async function locateFrom(
  db: Tx | Db,
  subjectIds: readonly string[],
  candidatesOf: Map<string, SubjectCandidates>,
): Promise<LocateResult[]> {
  const postcodesOf = new Map(
    subjectIds.map((id) => [
      id,
      (candidatesOf.get(id)?.candidates ?? []).map((candidate) => ({
        candidate,
        postcode:
          (candidate.postcode ? parsePostcode(candidate.postcode) : null) ??
          findPostcode([candidate.street, candidate.city].filter(Boolean).join(' ')),
      })),
    ]),
  )
  const all = [...postcodesOf.values()].flat().flatMap((c) => (c.postcode ? [c.postcode] : []))
  const districts = await districtRows(db, [...new Set(all.map((p) => p.district))])
  const areas = await areaRows(db, [...new Set(all.map((p) => p.area))])
  return subjectIds.map((subjectId) => {
    const candidates = postcodesOf.get(subjectId) ?? []
    const unknown: string[] = []
    for (const { candidate, postcode } of candidates) {
      if (!postcode) continue
      const location = forceForPostcode(postcode, districts.get(postcode.district), areas.get(postcode.area))
      if (location) {
        const from = candidate.source === 'analyst' ? 'address entered by an analyst' : 'address in a report'
        return {
          subjectId,
          location: { ...location, postcode: postcode.full ?? postcode.district },
          reason: `${from}: ${location.reason}`,
        }
      }
      unknown.push(postcode.full ?? postcode.district)
    }
    const reason =
      unknown.length > 0
        ? `no force found for postcode(s) ${unknown.join(', ')}`
        : candidates.length > 0
          ? 'the addresses given have no UK postcode'
          : 'no address in any report'
    return { subjectId, location: null, reason }
  })
}

/**
 * Pipeline stage 3: records where each subject is (or that it waits in the unresolved queue). The
 * batch is read and written in a fixed number of statements, so a batch of 1,000 costs far less than 1,000 of one.
 */
export async function locateSubjects(tx: Tx, subjectIds: readonly string[]): Promise<string[]> {
  const subjects = await tx
    .selectFrom('subjects')
    .select(['id', 'force_id'])
    .where('id', '=', anyId(subjectIds))
    .where('merged_into', 'is', null)
    .orderBy('id')
    .execute()
  if (subjects.length === 0) return []
  const results = await locateMany(
    tx,
    subjects.map((s) => s.id),
  )
  const u = (values: unknown[], type: string) => sql`${values}::${sql.raw(type)}[]`
  const where = results.map((r) => r.location)
  // The keys written are forces (never deleted): no per-row checks.
  const skipped = await skipRowTriggers(tx)
  await sql`update subjects s set status = x.status::subject_status, force_id = x.force_id, postcode = x.postcode,
      location_method = x.method, location_confidence = x.confidence, location_reason = x.reason, updated_at = now()
    from unnest(${u(
      results.map((r) => r.subjectId),
      'bigint',
    )}, ${u(
      where.map((w) => (w ? 'located' : 'unlocated')),
      'text',
    )},
      ${u(
        where.map((w) => w?.forceId ?? null),
        'text',
      )}, ${u(
        where.map((w) => w?.postcode ?? null),
        'text',
      )},
      ${u(
        where.map((w) => w?.method ?? null),
        'text',
      )}, ${u(
        where.map((w) => w?.confidence ?? null),
        'text',
      )},
      ${u(
        results.map((r) => r.reason),
        'text',
      )}) as x(id, status, force_id, postcode, method, confidence, reason)
    where s.id = x.id`.execute(tx)
  // Referrals of an unlocated subject wait in the unresolved queue, and say so. Those of a located
  // subject are not marked 'located': the locate job drafts their package in the same transaction,
  // which marks them 'triaged' (writing each referral row twice cost 4 % of the pipeline's database
  // time). Each subject's referrals are found through the subject index (`offset 0` keeps it a
  // per-subject lookup), then updated by id: joined on subject_id instead, the planner read every
  // linked referral to hash them against the batch (50 ms a batch at 200k referrals).
  const unlocated = results.filter((r) => !r.location).map((r) => r.subjectId)
  if (unlocated.length > 0) {
    await sql`update referrals r set status = 'unlocated'
      from (select own.id from unnest(${u(unlocated, 'bigint')}) as s(subject_id)
        join lateral (select id from referrals where subject_id = s.subject_id
          and status in ('resolved', 'located') offset 0) own on true) x
      where r.id = x.id`.execute(tx)
  }
  const forceBefore = new Map(subjects.map((s) => [s.id, s.force_id]))
  // The audit rows go in before checks are restored: a system actor names no user or token, and
  // forces are never deleted.
  await recordAuditMany(
    tx,
    LOCATOR,
    results
      // As before batching: an unlocated subject is audited each time it is looked at again.
      .filter((r) => r.location?.forceId !== forceBefore.get(r.subjectId))
      .map((r) => ({
        action: r.location ? 'subject.located' : 'subject.unlocated',
        recordType: 'subject' as const,
        recordId: r.subjectId,
        forceId: r.location?.forceId ?? null,
        details: { reason: r.reason, previousForce: forceBefore.get(r.subjectId) ?? null },
      })),
  )
  await restoreRowTriggers(tx, skipped)
  return results.filter((r) => r.location).map((r) => r.subjectId)
}

/**
 * An analyst supplies an address for a subject (typically one waiting in the unresolved queue);
 * locating runs again with it, through the pipeline like any other change.
 */
export async function enterSubjectAddress(
  db: Db,
  actor: Actor & { kind: 'user' },
  subjectId: string,
  address: { street: string | null; city: string | null; postcode: string },
): Promise<void> {
  const postcode = parsePostcode(address.postcode)
  if (!postcode?.full) {
    throw new ValidationError({ postcode: 'Enter a full UK postcode, like DT1 1AA' })
  }
  await db.transaction().execute(async (tx) => {
    const subject = await tx
      .selectFrom('subjects')
      .select('id')
      .where('id', '=', subjectId)
      .executeTakeFirst()
    if (!subject) throw new NotFoundError('subject', subjectId)
    await tx
      .insertInto('subject_addresses')
      .values({
        subject_id: subjectId,
        street: address.street,
        city: address.city,
        postcode: postcode.full!,
        entered_by: actor.userId,
      })
      .execute()
    await recordAudit(tx, actor, {
      action: 'subject.address-entered',
      recordType: 'subject',
      recordId: subjectId,
      details: { district: postcode.district },
    })
    await enqueue(tx, locateSubjectsJob, { subjectIds: [subjectId] })
  })
}
