import { sql } from 'kysely'
import type { Queryable } from '../platform/db.js'
import type { ImageCategory } from '../platform/schema.js'
import { type Indicators, type Suggestion, suggestBand } from './rules.js'

// A referral is current unless a newer version of the same report supersedes it. The `is not null`
// lets even a hash anti-join read only the small partial index of newer versions, never the table.
const CURRENT = sql`not exists (select 1 from referrals newer
  where newer.supersedes_referral_id = r.id and newer.supersedes_referral_id is not null)`

export interface SubjectAssessment extends Suggestion {
  /** What the band was suggested from. */
  indicators: Indicators
  referralIds: string[]
  /** The operation of the subject's latest referral that has one. */
  operationId: string | null
}

/**
 * The indicators of many subjects in two statements: a file matching several entries counts once,
 * in its most serious category; withdrawn entries and disabled sets never count; a referral replaced
 * by a newer version of the same report counts only through that newer version.
 */
export async function assessSubjects(
  db: Queryable,
  subjectIds: readonly string[],
): Promise<Map<string, SubjectAssessment>> {
  // Subject by subject through the indexes (`offset 0` keeps each lateral a per-subject lookup): at
  // mid table sizes the planner otherwise priced a whole-table scan of referrals below 500 index
  // probes, and the stage fell behind intake (docs/decisions/0004).
  const referrals = (
    await sql<{
      id: string
      subject_id: string
      escalation: string | null
      annotations: string[]
      ncmec_priority: string | null
      informational: boolean
      operation_id: string | null
      files: number
      victims: number
    }>`
      select r.id, r.subject_id, r.escalation, r.annotations, r.ncmec_priority, r.informational, r.operation_id,
        (select count(*)::int from referral_files f where f.referral_id = r.id) as files,
        (select count(*)::int from referral_persons p where p.referral_id = r.id and p.role = 'child_victim') as victims
      from unnest(${subjectIds}::bigint[]) as subject(id)
      join lateral (select * from referrals r where r.subject_id = subject.id and ${CURRENT} offset 0) r on true
      order by r.id`.execute(db)
  ).rows
  // The same walk, subject → referrals → files → matches, each step a per-row lookup: with sequential
  // scans priced out, the planner otherwise walked the whole referral_files index to meet the (few)
  // matches from the other side, a cost that grew with the table (90–210 ms a batch at 200k referrals).
  const categories = await sql<{ subjectId: string; category: ImageCategory; files: number }>`
    select subject_id as "subjectId", category, count(*)::int as files from (
      select distinct on (f.id) f.id, r.subject_id, k.category
      from unnest(${subjectIds}::bigint[]) as subject(id)
      join lateral (select id, subject_id from referrals r where r.subject_id = subject.id and ${CURRENT} offset 0) r on true
      join lateral (select id from referral_files where referral_id = r.id offset 0) f on true
      join lateral (select k.category from file_matches m
        join known_hashes k on k.id = m.known_hash_id and k.withdrawn_at is null
        join hash_sets s on s.id = k.hash_set_id and s.enabled
        where m.referral_file_id = f.id offset 0) k on true
      order by f.id, k.category
    ) per_file group by 1, 2`.execute(db)
  // Grouped once: a batch holds hundreds of subjects, and scanning every row per subject is quadratic.
  const ownOf = new Map<string, typeof referrals>()
  for (const r of referrals) {
    const list = ownOf.get(r.subject_id) ?? []
    list.push(r)
    ownOf.set(r.subject_id, list)
  }
  const matchedFiles = new Map(categories.rows.map((x) => [`${x.subjectId}/${x.category}`, x.files]))
  const assessments = new Map<string, SubjectAssessment>()
  for (const subjectId of subjectIds) {
    const own = ownOf.get(subjectId) ?? []
    const matched = (c: 'A' | 'B' | 'C') => matchedFiles.get(`${subjectId}/${c}`) ?? 0
    const indicators: Indicators = {
      referrals: own.length,
      matchedFiles: { A: matched('A'), B: matched('B'), C: matched('C') },
      files: own.reduce((sum, r) => sum + r.files, 0),
      escalations: own.filter((r) => r.escalation !== null).length,
      annotations: [...new Set(own.flatMap((r) => r.annotations))],
      ncmecPriorities: [...new Set(own.map((r) => r.ncmec_priority).filter((p): p is string => p !== null))],
      informationalOnly: own.length > 0 && own.every((r) => r.informational),
      childVictims: own.reduce((sum, r) => sum + r.victims, 0),
    }
    assessments.set(subjectId, {
      ...suggestBand(indicators),
      indicators,
      referralIds: own.map((r) => r.id),
      operationId: own.filter((r) => r.operation_id !== null).at(-1)?.operation_id ?? null,
    })
  }
  return assessments
}
