import { z } from 'zod'
import { planForBatchLookups } from '../platform/db.js'
import { defineJob } from '../platform/queue.js'
import { draftPackages } from './drafting.js'

/** Pipeline stage 4: suggest a band and put each located subject's package in the review queue. */
export const assessSubjectsJob = defineJob({
  name: 'packages.assess-subjects',
  payload: z.object({ subjectIds: z.array(z.string().regex(/^\d+$/)).min(1) }),
  async handler(payload, { db }) {
    await db.transaction().execute(async (tx) => {
      await planForBatchLookups(tx)
      await draftPackages(tx, payload.subjectIds)
    })
  },
})
