import { z } from 'zod'
import { locateSubjectsJob } from '../locating/jobs.js'
import { planForBatchLookups } from '../platform/db.js'
import { defineJob, enqueue } from '../platform/queue.js'
import { resolveReferrals } from './service.js'

/** Pipeline stage 2: link the referrals into subjects, then locate the subjects touched. */
export const resolveReferralsJob = defineJob({
  name: 'subjects.resolve-referrals',
  payload: z.object({ referralIds: z.array(z.string().regex(/^\d+$/)).min(1) }),
  async handler(payload, { db }) {
    await db.transaction().execute(async (tx) => {
      await planForBatchLookups(tx)
      const subjectIds = await resolveReferrals(tx, payload.referralIds)
      if (subjectIds.length > 0) await enqueue(tx, locateSubjectsJob, { subjectIds })
    })
  },
})
