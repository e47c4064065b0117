import { Logger as QueueLogger, type Runner, run, runOnce, type Task, type TaskList } from 'graphile-worker'
import { sql } from 'kysely'
import type pg from 'pg'
import type { z } from 'zod'
import type { Db, Queryable } from './db.js'
import type { Logger } from './logger.js'

export interface JobContext {
  db: Db
  log: Logger
}

export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  /** 'module.verb-noun', e.g. 'matching.match-referrals'. */
  name: string
  payload: S
  handler(payload: z.infer<S>, context: JobContext): Promise<void>
}

export function defineJob<S extends z.ZodType>(job: JobDefinition<S>): JobDefinition<S> {
  return job
}

/**
 * Enqueues through the caller's transaction (graphile-worker's add_job is plain SQL), so a job
 * exists if and only if the change that caused it committed.
 */
export async function enqueue<S extends z.ZodType>(
  tx: Queryable,
  job: JobDefinition<S>,
  payload: z.infer<S>,
  options: { jobKey?: string; maxAttempts?: number } = {},
): Promise<void> {
  const checked = job.payload.parse(payload)
  await sql`select graphile_worker.add_job(${job.name}, ${JSON.stringify(checked)}::json,
    job_key => ${options.jobKey ?? null}, max_attempts => ${options.maxAttempts ?? 8})`.execute(tx)
}

function taskList(jobs: readonly JobDefinition[], context: JobContext): TaskList {
  const tasks: TaskList = {}
  for (const job of jobs) {
    const task: Task = async (payload) => {
      await job.handler(job.payload.parse(payload), context)
    }
    tasks[job.name] = task
  }
  return tasks
}

function queueLogger(log: Logger): QueueLogger {
  return new QueueLogger((scope) => (level, message, meta) => {
    const fields = { queue: scope, ...(meta ?? {}) }
    if (level === 'error') log.error(fields, message)
    else if (level === 'warning') log.warn(fields, message)
    else log.debug(fields, message)
  })
}

/** The long-running worker role (inside `footprint serve`, or alone as `footprint worker`). */
export async function startWorker(
  pool: pg.Pool,
  jobs: readonly JobDefinition[],
  context: JobContext,
  concurrency: number,
): Promise<Runner> {
  return run({
    pgPool: pool,
    taskList: taskList(jobs, context),
    concurrency,
    noHandleSignals: true,
    pollInterval: 500,
    logger: queueLogger(context.log),
  })
}

/**
 * Runs every job that is ready now, and the jobs those enqueue, until none is left. Jobs a running
 * worker holds are waited for rather than run twice; jobs that failed and wait for a retry are not.
 */
export async function drainQueue(
  pool: pg.Pool,
  jobs: readonly JobDefinition[],
  context: JobContext,
  options: { workerId?: string } = {},
): Promise<void> {
  const tasks = taskList(jobs, context)
  const logger = queueLogger(context.log)
  for (;;) {
    const { rows } = await pool.query<{ ready: number; held: number }>(
      `select count(*) filter (where locked_at is null)::int as ready, count(*) filter (where locked_at is not null)::int as held
       from graphile_worker.jobs where run_at <= now() and attempts < max_attempts`,
    )
    const { ready, held } = rows[0] ?? { ready: 0, held: 0 }
    if (ready > 0)
      await runOnce({
        pgPool: pool,
        taskList: tasks,
        logger,
        ...(options.workerId ? { workerId: options.workerId } : {}),
      })
    else if (held > 0) await new Promise((resolve) => setTimeout(resolve, 50))
    else return
  }
}
