import { sql } from 'kysely'
import type { Queryable } from '../platform/db.js'
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
 * The indicators of many subjects in one statement: a file matching several entries counts once, in
 * its most serious category; withdrawn entries and disabled sets never count; a referral replaced by
 * a newer version of the same report counts only through that newer version.
 */
export async function assessSubjects(
  db: Queryable,
  subjectIds: readonly string[],
): Promise<Map<string, SubjectAssessment>> {
  // Subject by subject through the indexes (`offset 0` keeps each lateral a per-subject lookup): at
  // mid table sizes the planner otherwise priced a whole-table scan of referrals below 500 index
  // probes, and the stage fell behind intake (docs/decisions/0004). Each referral carries its own
  // file and victim counts (migration 0007), so a subject costs one probe per referral; only
  // referrals with a recorded match are walked, file by file, to their categories. A file belongs to
  // one referral, so "each file once, in its most serious category" holds per referral and sums.
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
      a: number | null
      b: number | null
      c: number | null
    }>`
      select r.id, r.subject_id, r.escalation, r.annotations, r.ncmec_priority, r.informational, r.operation_id,
        r.file_count as files, r.child_victim_count as victims, m.a, m.b, m.c
      from unnest(${subjectIds}::bigint[]) as subject(id)
      join lateral (select * from referrals r where r.subject_id = subject.id and ${CURRENT} offset 0) r on true
      left join lateral (
        select count(*) filter (where category = 'A')::int as a, count(*) filter (where category = 'B')::int as b,
          count(*) filter (where category = 'C')::int as c
        from (select distinct on (f.id) k.category
          from referral_files f
          join file_matches m on m.referral_file_id = f.id
          join known_hashes k on k.id = m.known_hash_id and k.withdrawn_at is null
          join hash_sets s on s.id = k.hash_set_id and s.enabled
          where f.referral_id = r.id
          order by f.id, k.category) per_file) m on r.has_file_matches
      order by r.id`.execute(db)
  ).rows
  // Grouped once: a batch holds hundreds of subjects, and scanning every row per subject is quadratic.
  const ownOf = new Map<string, typeof referrals>()
  for (const r of referrals) {
    const list = ownOf.get(r.subject_id) ?? []
    list.push(r)
    ownOf.set(r.subject_id, list)
  }
  const assessments = new Map<string, SubjectAssessment>()
  for (const subjectId of subjectIds) {
    const own = ownOf.get(subjectId) ?? []
    const matched = (c: 'a' | 'b' | 'c') => own.reduce((sum, r) => sum + (r[c] ?? 0), 0)
    const indicators: Indicators = {
      referrals: own.length,
      matchedFiles: { A: matched('a'), B: matched('b'), C: matched('c') },
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
