import { sql } from 'kysely'
import { z } from 'zod'
import { assessSubjectsJob } from '../packages/jobs.js'
import { planForBatchLookups } from '../platform/db.js'
import { defineJob, enqueue } from '../platform/queue.js'
import { resolveReferralsJob } from '../subjects/jobs.js'
import { matcherFor } from './matcher.js'
import { insertPdqMatches, rematchAfterChange, subjectsOfFiles } from './referral-matching.js'
import { insertExactMatches } from './repo.js'

const referralIds = z.object({ referralIds: z.array(z.string().regex(/^\d+$/)).min(1) })

/** Pipeline stage 1: match every file of the referrals against the known-image library. */
export const matchReferralsJob = defineJob({
  name: 'matching.match-referrals',
  payload: referralIds,
  async handler(payload, { db }) {
    const matcher = matcherFor(db)
    await db.transaction().execute(async (tx) => {
      await planForBatchLookups(tx)
      const exact = await insertExactMatches(tx, payload.referralIds)
      const pdq = await insertPdqMatches(tx, matcher, payload.referralIds)
      // One write per referral: its status, and whether triage must walk its matches (migration 0007).
      const matched = [...new Set([...exact, ...pdq])]
      await sql`update referrals set has_file_matches = has_file_matches or id = any(${matched}::bigint[]),
          status = case when status = 'received' then 'matched'::referral_status else status end
        where id = any(${payload.referralIds}::bigint[])
          and (status = 'received' or (id = any(${matched}::bigint[]) and not has_file_matches))`.execute(tx)
      await enqueue(tx, resolveReferralsJob, payload)
    })
  },
})

/**
 * After an import, a withdrawal or a set enabled/disabled: match every referral file against what
 * the change added, and re-triage the subjects whose files' counts changed (their open packages
 * get a new suggested band; a package already sent is not changed).
 */
export const rematchLibraryChangeJob = defineJob({
  name: 'matching.rematch-library-change',
  payload: z.object({ changeSeq: z.string().regex(/^\d+$/) }),
  async handler(payload, { db }) {
    const matcher = matcherFor(db)
    await db.transaction().execute(async (tx) => {
      const change = await tx
        .selectFrom('hash_library_changes')
        .select(['seq', 'hash_set_id as hashSetId', 'kind'])
        .where('seq', '=', payload.changeSeq)
        .executeTakeFirst()
      if (!change) return
      const files = await rematchAfterChange(tx, matcher, change)
      const subjectIds = await subjectsOfFiles(tx, files)
      if (subjectIds.length > 0) await enqueue(tx, assessSubjectsJob, { subjectIds })
    })
  },
})
