import { sql } from 'kysely'
import type { Queryable } from '../platform/db.js'

export interface UnlocatedSubject {
  id: string
  reference: string
  reason: string | null
  referrals: number
  firstReceived: Date
}

/** The national unresolved queue: subjects no force can be found for, oldest first. */
export async function unlocatedSubjects(db: Queryable): Promise<UnlocatedSubject[]> {
  const result = await sql<UnlocatedSubject>`
    select s.id, s.reference, s.location_reason as reason, count(r.id)::int as referrals, min(r.received_at) as "firstReceived"
    from subjects s join referrals r on r.subject_id = s.id
    where s.status = 'unlocated' and s.merged_into is null
    group by s.id order by min(r.received_at), s.id limit 500`.execute(db)
  return result.rows
}
