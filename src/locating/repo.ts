import type { Queryable } from '../platform/db.js'
import type { AreaRow, DistrictRow } from './rules.js'

export interface CandidateAddress {
  source: 'analyst' | 'referral'
  street: string | null
  city: string | null
  postcode: string | null
}

/** Addresses to try, best first: what an analyst entered (newest first), then what reports said. */
export async function candidateAddresses(db: Queryable, subjectId: string): Promise<CandidateAddress[]> {
  const entered = await db
    .selectFrom('subject_addresses')
    .select(['street', 'city', 'postcode'])
    .where('subject_id', '=', subjectId)
    .orderBy('entered_at', 'desc')
    .orderBy('id', 'desc')
    .execute()
  const reported = await db
    .selectFrom('referral_addresses as a')
    .innerJoin('referrals as r', 'r.id', 'a.referral_id')
    .select(['a.street', 'a.city', 'a.postcode'])
    .where('r.subject_id', '=', subjectId)
    .where('a.derived', '=', false)
    .where('a.role', '=', 'reported_person')
    .orderBy('r.received_at', 'desc')
    .orderBy('a.id')
    .execute()
  return [
    ...entered.map((a) => ({ source: 'analyst' as const, ...a })),
    ...reported.map((a) => ({ source: 'referral' as const, ...a })),
  ]
}

export async function districtRow(db: Queryable, district: string): Promise<DistrictRow | undefined> {
  const row = await db
    .selectFrom('postcode_districts')
    .select(['district', 'force_id', 'status', 'confidence'])
    .where('district', '=', district)
    .executeTakeFirst()
  return (
    row && { district: row.district, forceId: row.force_id, status: row.status, confidence: row.confidence }
  )
}

export async function areaRow(db: Queryable, area: string): Promise<AreaRow | undefined> {
  const row = await db
    .selectFrom('postcode_areas')
    .select(['area', 'primary_force_id', 'primary_share'])
    .where('area', '=', area)
    .executeTakeFirst()
  return row && { area: row.area, forceId: row.primary_force_id, share: Number(row.primary_share) }
}
