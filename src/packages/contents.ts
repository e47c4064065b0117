import { sql } from 'kysely'
import { countMatchedFilesByCategory, countMatchedFilesBySet } from '../matching/repo.js'
import type { Queryable } from '../platform/db.js'
import type { OutcomeKind } from '../platform/schema.js'

export interface PackageContents {
  referrals: {
    id: string
    sourceReference: string | null
    receivedAt: Date
    incidentAt: Date | null
    platform: string | null
    incidentType: string | null
    escalation: string | null
    annotations: string[]
    ncmecPriority: string | null
  }[]
  identifiers: { kind: string; value: string; referrals: number; firstSeenPath: string; seen: string[] }[]
  persons: {
    name: string | null
    dateOfBirth: string | null
    screenName: string | null
    platform: string | null
  }[]
  addresses: { street: string | null; city: string | null; postcode: string | null; derived: boolean }[]
  files: { total: number; viewedByEsp: number; notViewedByEsp: number }
  matchesByCategory: { category: string; files: number }[]
  matchesBySet: { hashSet: string; category: string; files: number }[]
  /** Other forces holding packages that share an identifier with this one: who, never what. */
  deconfliction: { forceName: string; packages: number }[]
  outcomes: {
    id: string
    kind: OutcomeKind
    occurredOn: string
    children: number | null
    offence: string | null
    bailUntil: string | null
    note: string | null
    recordedBy: string | null
    recordedAt: Date
  }[]
}

/** What a package holds: the referrals of its version, what they say, matches, and outcomes. */
export async function packageContents(
  db: Queryable,
  packageId: string,
  forceId: string,
): Promise<PackageContents> {
  const referrals = await db
    .selectFrom('package_referrals as pr')
    .innerJoin('referrals as r', 'r.id', 'pr.referral_id')
    .select([
      'r.id',
      'r.source_reference as sourceReference',
      'r.received_at as receivedAt',
      'r.incident_at as incidentAt',
      'r.platform',
      'r.incident_type as incidentType',
      'r.escalation',
      'r.annotations',
      'r.ncmec_priority as ncmecPriority',
    ])
    .where('pr.package_id', '=', packageId)
    .orderBy('r.received_at')
    .execute()
  const ids = referrals.map((r) => r.id)
  const identifiers = await sql<PackageContents['identifiers'][number]>`
    select i.kind, i.value, count(distinct ri.referral_id)::int as referrals, min(ri.path) as "firstSeenPath",
      -- An IP address identifies a subscriber only with its time and port: keep them beside it.
      array_remove(array_agg(distinct case when ri.observed_at is not null then
        to_char(ri.observed_at at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"')
        || coalesce(' port ' || ri.port, '') || coalesce(' (' || lower(ri.event) || ')', '') end), null) as "seen"
    from referral_identifiers ri join identifiers i on i.id = ri.identifier_id
    where ri.referral_id = any(${ids}::bigint[]) and ri.role = 'reported_person'
    group by i.kind, i.value order by i.kind, i.value`.execute(db)
  const persons = await db
    .selectFrom('referral_persons')
    .select(['first_name', 'last_name', 'date_of_birth', 'screen_name', 'platform'])
    .where('referral_id', 'in', ids.length > 0 ? ids : ['0'])
    .where('role', '=', 'reported_person')
    .distinct()
    .execute()
  const addresses = await db
    .selectFrom('referral_addresses')
    .select(['street', 'city', 'postcode', 'derived'])
    .where('referral_id', 'in', ids.length > 0 ? ids : ['0'])
    .where('role', '=', 'reported_person')
    .distinct()
    .execute()
  const files = await sql<{ total: number; viewed: number; notViewed: number }>`
    select count(*)::int as total,
      count(*) filter (where viewed_by_esp)::int as viewed,
      count(*) filter (where viewed_by_esp = false)::int as "notViewed"
    from referral_files where referral_id = any(${ids}::bigint[])`.execute(db)
  const deconfliction = await sql<{ forceName: string; packages: number }>`
    select f.name as "forceName", count(distinct p.id)::int as packages
    from referral_identifiers mine
    -- The kinds that link, as the partial index by identifier holds them (migration 0009).
    join referral_identifiers theirs on theirs.identifier_id = mine.identifier_id and theirs.referral_id <> mine.referral_id
      and theirs.kind in ('email', 'phone', 'account')
    join package_referrals pr on pr.referral_id = theirs.referral_id
    join packages p on p.id = pr.package_id and p.id <> ${packageId} and p.disseminated_at is not null
    join forces f on f.id = p.force_id
    where mine.referral_id = any(${ids}::bigint[]) and mine.normalised and mine.kind in ('email', 'phone', 'account')
      and p.force_id <> ${forceId}
    group by f.name order by f.name`.execute(db)
  const outcomes = await db
    .selectFrom('outcomes as o')
    .leftJoin('users as u', 'u.id', 'o.recorded_by')
    .select([
      'o.id',
      'o.kind',
      'o.occurred_on as occurredOn',
      'o.children',
      'o.offence',
      'o.bail_until as bailUntil',
      'o.note',
      'u.display_name as recordedBy',
      'o.recorded_at as recordedAt',
    ])
    .where('o.package_id', '=', packageId)
    .orderBy('o.occurred_on', 'desc')
    .orderBy('o.id', 'desc')
    .execute()
  const f = files.rows[0]
  return {
    referrals: referrals.map((r) => ({
      ...r,
      incidentAt: r.incidentAt === null ? null : new Date(r.incidentAt),
    })),
    identifiers: identifiers.rows,
    persons: persons.map((p) => ({
      name: [p.first_name, p.last_name].filter(Boolean).join(' ') || null,
      dateOfBirth: p.date_of_birth,
      screenName: p.screen_name,
      platform: p.platform,
    })),
    addresses,
    files: { total: f?.total ?? 0, viewedByEsp: f?.viewed ?? 0, notViewedByEsp: f?.notViewed ?? 0 },
    matchesByCategory: await countMatchedFilesByCategory(db, ids),
    matchesBySet: await countMatchedFilesBySet(db, ids),
    deconfliction: deconfliction.rows,
    outcomes,
  }
}
