import { sql } from 'kysely'
import { countMatchedFilesByCategory } from '../matching/repo.js'
import type { Queryable } from '../platform/db.js'
import { type Indicators, type Suggestion, suggestBand } from './rules.js'

/** Gathers the indicators of one subject from all of its referrals. */
export async function indicatorsFor(
  db: Queryable,
  subjectId: string,
): Promise<{ indicators: Indicators; referralIds: string[] }> {
  const referrals = await db
    .selectFrom('referrals')
    .select(['id', 'escalation', 'annotations', 'ncmec_priority', 'informational'])
    .where('subject_id', '=', subjectId)
    .orderBy('id')
    .execute()
  const referralIds = referrals.map((r) => r.id)
  const categories = await countMatchedFilesByCategory(db, referralIds)
  const counts = await sql<{ files: number; victims: number }>`
    select
      (select count(*)::int from referral_files where referral_id = any(${referralIds}::bigint[])) as files,
      (select count(*)::int from referral_persons where referral_id = any(${referralIds}::bigint[]) and role = 'child_victim') as victims
  `.execute(db)
  const byCategory = (c: 'A' | 'B' | 'C') => categories.find((x) => x.category === c)?.files ?? 0
  return {
    referralIds,
    indicators: {
      referrals: referrals.length,
      matchedFiles: { A: byCategory('A'), B: byCategory('B'), C: byCategory('C') },
      files: counts.rows[0]?.files ?? 0,
      escalations: referrals.filter((r) => r.escalation !== null).length,
      annotations: [...new Set(referrals.flatMap((r) => r.annotations))],
      ncmecPriorities: [
        ...new Set(referrals.map((r) => r.ncmec_priority).filter((p): p is string => p !== null)),
      ],
      informationalOnly: referrals.length > 0 && referrals.every((r) => r.informational),
      childVictims: counts.rows[0]?.victims ?? 0,
    },
  }
}

export async function assessSubject(
  db: Queryable,
  subjectId: string,
): Promise<Suggestion & { referralIds: string[] }> {
  const { indicators, referralIds } = await indicatorsFor(db, subjectId)
  return { ...suggestBand(indicators), referralIds }
}
