import { sql } from 'kysely'
import type { Actor } from '../access/model.js'
import type { Queryable } from '../platform/db.js'
import type { Band, PackageStatus } from '../platform/schema.js'
import type { BandReason } from '../triage/rules.js'
import { packageScope } from './policy.js'

export interface PackageSummary {
  id: string
  reference: string
  subjectId: string
  subjectReference: string
  forceId: string
  forceName: string
  status: PackageStatus
  band: Band
  suggestedBand: Band
  version: number
  createdAt: Date
  disseminatedAt: Date | null
  acknowledgedAt: Date | null
  referrals: number
}

function packageSummaries(db: Queryable, actor: Actor) {
  const query = db
    .selectFrom('packages')
    .innerJoin('subjects', 'subjects.id', 'packages.subject_id')
    .innerJoin('forces', 'forces.id', 'packages.force_id')
    .select((eb) => [
      'packages.id',
      'packages.reference',
      'packages.subject_id as subjectId',
      'subjects.reference as subjectReference',
      'packages.force_id as forceId',
      'forces.name as forceName',
      'packages.status',
      'packages.band',
      'packages.suggested_band as suggestedBand',
      'packages.version',
      'packages.created_at as createdAt',
      'packages.disseminated_at as disseminatedAt',
      'packages.acknowledged_at as acknowledgedAt',
      eb
        .selectFrom('package_referrals')
        .select(sql<number>`count(*)::int`.as('n'))
        .whereRef('package_referrals.package_id', '=', 'packages.id')
        .as('referrals'),
    ])
  return query.where(packageScope(actor))
}

const BAND_ORDER = sql`array_position(array['very_high','high','medium','low']::band[], packages.band)`

export async function listPackages(
  db: Queryable,
  actor: Actor,
  filter: { statuses: PackageStatus[]; forceId?: string; limit?: number; offset?: number },
): Promise<PackageSummary[]> {
  let query = packageSummaries(db, actor).where('packages.status', 'in', filter.statuses)
  if (filter.forceId) query = query.where('packages.force_id', '=', filter.forceId)
  const rows = await query
    .orderBy(BAND_ORDER)
    .orderBy('packages.created_at')
    .limit(filter.limit ?? 200)
    .offset(filter.offset ?? 0)
    .execute()
  return rows.map((r) => ({ ...r, referrals: r.referrals ?? 0 }))
}

export async function countPackages(db: Queryable, actor: Actor, statuses: PackageStatus[]): Promise<number> {
  const row = await db
    .selectFrom('packages')
    .select(sql<number>`count(*)::int`.as('n'))
    .where(packageScope(actor))
    .where('packages.status', 'in', statuses)
    .executeTakeFirst()
  return row?.n ?? 0
}

export interface PackageRecord extends PackageSummary {
  bandReasons: BandReason[]
  bandChangeReason: string | null
  operationId: string | null
  location: {
    postcode: string | null
    method: string | null
    confidence: string | null
    reason: string | null
  }
}

/** One package, if the actor may see it; undefined otherwise (the caller answers 404 either way). */
export async function findPackage(
  db: Queryable,
  actor: Actor,
  id: string,
): Promise<PackageRecord | undefined> {
  if (!/^\d+$/.test(id)) return undefined
  const row = await packageSummaries(db, actor)
    .select([
      'packages.band_reasons as bandReasons',
      'packages.band_change_reason as bandChangeReason',
      'packages.operation_id as operationId',
      'subjects.postcode',
      'subjects.location_method',
      'subjects.location_confidence',
      'subjects.location_reason',
    ])
    .where('packages.id', '=', id)
    .executeTakeFirst()
  if (!row) return undefined
  return {
    ...row,
    referrals: row.referrals ?? 0,
    bandReasons: row.bandReasons as BandReason[],
    location: {
      postcode: row.postcode,
      method: row.location_method,
      confidence: row.location_confidence,
      reason: row.location_reason,
    },
  }
}
