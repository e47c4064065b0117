import { locateSubjectsJob } from './locating/jobs.js'
import { matchReferralsJob, rematchLibraryChangeJob } from './matching/jobs.js'
import { assessSubjectsJob } from './packages/jobs.js'
import type { JobDefinition } from './platform/queue.js'
import { resolveReferralsJob } from './subjects/jobs.js'

/** Every job the worker runs, in pipeline order. */
export const jobs: readonly JobDefinition[] = [
  matchReferralsJob,
  resolveReferralsJob,
  locateSubjectsJob,
  assessSubjectsJob,
  rematchLibraryChangeJob,
] as JobDefinition[]
