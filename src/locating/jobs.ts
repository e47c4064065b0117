import { z } from 'zod'
import { assessSubjectsJob } from '../packages/jobs.js'
import { planForBatchLookups } from '../platform/db.js'
import { defineJob, enqueue } from '../platform/queue.js'
import { locateSubjects } from './service.js'

/** Pipeline stage 3: locate, then triage and package the subjects that have a force. */
export const locateSubjectsJob = defineJob({
  name: 'locating.locate-subjects',
  payload: z.object({ subjectIds: z.array(z.string().regex(/^\d+$/)).min(1) }),
  async handler(payload, { db }) {
    await db.transaction().execute(async (tx) => {
      await planForBatchLookups(tx)
      const located = await locateSubjects(tx, payload.subjectIds)
      if (located.length > 0) await enqueue(tx, assessSubjectsJob, { subjectIds: located })
    })
  },
})
