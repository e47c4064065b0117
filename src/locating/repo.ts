import { sql } from 'kysely'
import { anyId, type Queryable } from '../platform/db.js'
import type { AreaRow, DistrictRow } from './rules.js'

export interface CandidateAddress {
  source: 'analyst' | 'referral'
  street: string | null
  city: string | null
  postcode: string | null
}

/** Addresses to try for each subject, best first: what an analyst entered (newest first), then what reports said. */
export async function candidateAddressesOf(
  db: Queryable,
  subjectIds: readonly string[],
): Promise<Map<string, CandidateAddress[]>> {
  const bySubject = new Map<string, CandidateAddress[]>(subjectIds.map((id) => [id, []]))
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
  const reported = (
    await sql<{ subject_id: string; street: string | null; city: string | null; postcode: string | null }>`
      select r.subject_id, a.street, a.city, a.postcode
      from unnest(${subjectIds}::bigint[]) as s(id)
      join lateral (select id, received_at, subject_id from referrals where subject_id = s.id offset 0) r on true
      join lateral (select * from referral_addresses where referral_id = r.id and not derived
        and role = 'reported_person' offset 0) a on true
      order by r.subject_id, r.received_at desc, a.id`.execute(db)
  ).rows
  for (const { subject_id, ...a } of entered) bySubject.get(subject_id)?.push({ source: 'analyst', ...a })
  for (const { subject_id, ...a } of reported)
    if (subject_id) bySubject.get(subject_id)?.push({ source: 'referral', ...a })
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
