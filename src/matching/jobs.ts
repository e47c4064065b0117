import { z } from 'zod'
import { defineJob, enqueue } from '../platform/queue.js'
import { resolveReferralsJob } from '../subjects/jobs.js'
import { insertExactMatches } from './repo.js'

const referralIds = z.object({ referralIds: z.array(z.string().regex(/^\d+$/)).min(1) })

/** Pipeline stage 1: match every file of the referrals against the known-image library. */
export const matchReferralsJob = defineJob({
  name: 'matching.match-referrals',
  payload: referralIds,
  async handler(payload, { db }) {
    await db.transaction().execute(async (tx) => {
      await insertExactMatches(tx, payload.referralIds)
      await tx
        .updateTable('referrals')
        .set({ status: 'matched' })
        .where('id', 'in', payload.referralIds)
        .where('status', '=', 'received')
        .execute()
      await enqueue(tx, resolveReferralsJob, payload)
    })
  },
})
