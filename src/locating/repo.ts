import { sql } from 'kysely'
import { anyId, type Queryable } from '../platform/db.js'
import type { AreaRow, DistrictRow } from './rules.js'

export interface CandidateAddress {
  source: 'analyst' | 'referral'
  street: string | null
  city: string | null
  postcode: string | null
}

export interface SubjectCandidates {
  candidates: CandidateAddress[]
  /** False when only the newest referrals were read and the subject has more. */
  complete: boolean
}

/**
 * Addresses to try for each subject, best first: what an analyst entered (newest first), then what
 * reports said, newest report first. With `newest`, only that many of each subject's newest
 * referrals are read: their addresses are exactly the start of the full list, so when one of them
 * locates the subject the rest cannot matter, and a subject's cost no longer grows with its referrals.
 */
export async function candidateAddressesOf(
  db: Queryable,
  subjectIds: readonly string[],
  newest?: number,
): Promise<Map<string, SubjectCandidates>> {
  const bySubject = new Map<string, SubjectCandidates>(
    subjectIds.map((id) => [id, { candidates: [], complete: true }]),
  )
  if (subjectIds.length === 0) return bySubject
  const entered = await db
    .selectFrom('subject_addresses')
    .select(['subject_id', 'street', 'city', 'postcode'])
    .where('subject_id', '=', anyId(subjectIds))
    .orderBy('subject_id')
    .orderBy('entered_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
  // Through the indexes subject by subject: a hash join would read every address ever received.
  // `offset 0` keeps each lateral a per-row lookup; without it the planner, trusting statistics taken
  // when the tables were smaller, flattened them into a scan of every address (docs/decisions/0004).
  // One referral past `newest` is read to learn whether the subject has more.
  const limit = newest === undefined ? sql`` : sql`limit ${newest + 1}`
  const reported = (
    await sql<{
      subject_id: string
      referral_id: string
      address_id: string | null
      street: string | null
      city: string | null
      postcode: string | null
    }>`
      select r.subject_id, r.id as referral_id, a.id as address_id, a.street, a.city, a.postcode
      from unnest(${subjectIds}::bigint[]) as s(id)
      join lateral (select id, received_at, subject_id from referrals where subject_id = s.id
        order by received_at desc, id desc ${limit} offset 0) r on true
      left join lateral (select * from referral_addresses where referral_id = r.id and not derived
        and role = 'reported_person' offset 0) a on true
      order by r.subject_id, r.received_at desc, r.id desc, a.id`.execute(db)
  ).rows
  for (const { subject_id, ...a } of entered)
    bySubject.get(subject_id)?.candidates.push({ source: 'analyst', ...a })
  const referralsRead = new Map<string, Set<string>>()
  for (const { subject_id, referral_id, address_id, street, city, postcode } of reported) {
    const read = referralsRead.get(subject_id) ?? new Set<string>()
    read.add(referral_id)
    referralsRead.set(subject_id, read)
    if (address_id !== null)
      bySubject.get(subject_id)?.candidates.push({ source: 'referral', street, city, postcode })
  }
  if (newest !== undefined)
    for (const [subjectId, read] of referralsRead)
      if (read.size > newest) bySubject.get(subjectId)!.complete = false
  return bySubject
}

export async function districtRows(
  db: Queryable,
  districts: readonly string[],
): Promise<Map<string, DistrictRow>> {
  if (districts.length === 0) return new Map()
  const rows = await db
    .selectFrom('postcode_districts')
    .select(['district', 'force_id', 'status', 'confidence'])
    .where('district', 'in', districts)
    .execute()
  return new Map(
    rows.map((row) => [
      row.district,
      { district: row.district, forceId: row.force_id, status: row.status, confidence: row.confidence },
    ]),
  )
}

export async function areaRows(db: Queryable, areas: readonly string[]): Promise<Map<string, AreaRow>> {
  if (areas.length === 0) return new Map()
  const rows = await db
    .selectFrom('postcode_areas')
    .select(['area', 'primary_force_id', 'primary_share'])
    .where('area', 'in', areas)
    .execute()
  return new Map(
    rows.map((row) => [
      row.area,
      { area: row.area, forceId: row.primary_force_id, share: Number(row.primary_share) },
    ]),
  )
}
