/**
 * Pipeline jobs that failed: graphile-worker retries each with exponential backoff up to its
 * max_attempts, then keeps it (parked) with the last error. National users see them here and can
 * run one again once the cause is fixed; the stages are idempotent, so a re-run is always safe.
 */
import { sql } from 'kysely'
import type { UserActor } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import type { Db } from '../platform/db.js'
import { NotFoundError } from '../platform/errors.js'

export interface FailingJob {
  id: string
  task: string
  attempts: number
  maxAttempts: number
  parked: boolean
  lastError: string | null
  runAt: Date
  createdAt: Date
  /** How many referrals or subjects the job is about. */
  records: number
}

export async function failingJobs(db: Db): Promise<FailingJob[]> {
  const result = await sql<FailingJob>`
    select j.id::text, j.task_identifier as task, j.attempts, j.max_attempts as "maxAttempts",
      j.attempts >= j.max_attempts as parked, j.last_error as "lastError", j.run_at as "runAt",
      j.created_at as "createdAt",
      case when json_typeof(coalesce(p.payload->'referralIds', p.payload->'subjectIds')) = 'array'
        then json_array_length(coalesce(p.payload->'referralIds', p.payload->'subjectIds')) else 0 end as records
    from graphile_worker.jobs j join graphile_worker._private_jobs p on p.id = j.id
    where j.last_error is not null
    order by j.attempts >= j.max_attempts desc, j.created_at
    limit 500`.execute(db)
  return result.rows
}

/** Runs a failed job again now, with a fresh set of attempts; audited with the error it had. */
export async function rerunJob(db: Db, actor: UserActor, jobId: string): Promise<void> {
  await db.transaction().execute(async (tx) => {
    const job = await sql<{ task: string; lastError: string | null }>`
      select task_identifier as task, last_error as "lastError" from graphile_worker.jobs
      where id = ${jobId}::bigint and last_error is not null`.execute(tx)
    const found = job.rows[0]
    if (!found) throw new NotFoundError('job', jobId)
    await sql`select graphile_worker.reschedule_jobs(array[${jobId}::bigint], run_at => now(), attempts => 0)`.execute(
      tx,
    )
    await recordAudit(tx, actor, {
      action: 'job.rerun',
      recordType: 'job',
      recordId: jobId,
      details: { task: found.task, lastError: found.lastError },
    })
  })
}
