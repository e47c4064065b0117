import { sql } from 'kysely'
import type { Queryable } from '../platform/db.js'

export interface ForceFigures {
  forceId: string
  forceName: string
  country: string
  packagesSent: number
  acknowledged: number
  overdue: number
  peopleArrested: number
  peopleCharged: number
  onBail: number
  childrenSafeguarded: number
}

export type Totals = Omit<ForceFigures, 'forceId' | 'forceName' | 'country'>

export interface NationalFigures {
  asOf: Date
  totals: Totals
  byForce: ForceFigures[]
}

// A subject's current status is its latest status-changing outcome; 'on bail' counts those whose
// latest is bail. Statuses are per subject (a person), so two packages of one person count once.
const STATUS_KINDS = [
  'arrest',
  'voluntary_interview',
  'bail',
  'released_under_investigation',
  'charge',
  'caution',
  'no_further_action',
]

/** Live figures from outcomes as forces recorded them, nationally and for every force (zeros included). */
export async function nationalFigures(
  db: Queryable,
  options: { operationId?: string | null; asOf?: Date } = {},
): Promise<NationalFigures> {
  const asOf = options.asOf ?? new Date()
  const operationId = options.operationId ?? null
  const result = await sql<ForceFigures>`
    with scoped as (
      select p.* from packages p
      where p.disseminated_at is not null and (${operationId}::bigint is null or p.operation_id = ${operationId}::bigint)
    ),
    outcome_rows as (
      select o.*, s.subject_id from outcomes o join scoped s on s.id = o.package_id
    ),
    latest_status as (
      select distinct on (subject_id) subject_id, force_id, kind
      from outcome_rows where kind::text = any(${STATUS_KINDS}::text[])
      order by subject_id, occurred_on desc, id desc
    )
    select f.id as "forceId", f.name as "forceName", f.country,
      (select count(*)::int from scoped where force_id = f.id) as "packagesSent",
      (select count(*)::int from scoped where force_id = f.id and acknowledged_at is not null) as acknowledged,
      (select count(*)::int from scoped where force_id = f.id and acknowledged_at is null
         and disseminated_at + make_interval(days => case band when 'very_high' then 1 when 'high' then 7 when 'medium' then 14 else 30 end) < ${asOf}) as overdue,
      (select count(distinct subject_id)::int from outcome_rows where force_id = f.id and kind = 'arrest') as "peopleArrested",
      (select count(distinct subject_id)::int from outcome_rows where force_id = f.id and kind = 'charge') as "peopleCharged",
      (select count(*)::int from latest_status where force_id = f.id and kind = 'bail') as "onBail",
      (select coalesce(sum(children), 0)::int from outcome_rows where force_id = f.id and kind = 'children_safeguarded') as "childrenSafeguarded"
    from forces f order by f.name`.execute(db)
  const byForce = result.rows
  const sum = (key: keyof Totals) => byForce.reduce((n, f) => n + f[key], 0)
  return {
    asOf,
    byForce,
    totals: {
      packagesSent: sum('packagesSent'),
      acknowledged: sum('acknowledged'),
      overdue: sum('overdue'),
      peopleArrested: sum('peopleArrested'),
      peopleCharged: sum('peopleCharged'),
      onBail: sum('onBail'),
      childrenSafeguarded: sum('childrenSafeguarded'),
    },
  }
}
