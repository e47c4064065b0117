import { z } from 'zod'
import { draftPackages } from '../packages/drafting.js'
import { planForBatchLookups } from '../platform/db.js'
import { defineJob } from '../platform/queue.js'
import { locateSubjects } from './service.js'

/**
 * Pipeline stage 3: locate, then triage and package the subjects that have a force, in one
 * transaction: a located subject's referrals go straight to 'triaged', and the batch is read once.
 * (`packages.assess-subjects` stays a job of its own for re-triage after a library change.)
 */
export const locateSubjectsJob = defineJob({
  name: 'locating.locate-subjects',
  payload: z.object({ subjectIds: z.array(z.string().regex(/^\d+$/)).min(1) }),
  async handler(payload, { db }) {
    await db.transaction().execute(async (tx) => {
      await planForBatchLookups(tx)
      const located = await locateSubjects(tx, payload.subjectIds)
      if (located.length > 0) await draftPackages(tx, located)
    })
  },
})
