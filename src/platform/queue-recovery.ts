import { hostname } from 'node:os'
import type pg from 'pg'

const PREFIX = `footprint-cli-${hostname()}-`

/** The queue worker id of this CLI process: host and pid, so a later run can tell whether it is alive. */
export const cliWorkerId = `${PREFIX}${process.pid}`

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/**
 * Releases jobs held by CLI runs on this host that are gone (killed mid-drain). Without this they
 * stay locked for graphile-worker's four-hour timeout and a re-run would wait for them; released, they
 * run again, which is safe because every pipeline stage is idempotent.
 */
export async function releaseDeadCliWorkers(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ locked_by: string }>(
    'select distinct locked_by from graphile_worker.jobs where locked_by like $1',
    [`${PREFIX}%`],
  )
  const dead = rows
    .map((row) => row.locked_by)
    .filter((id) => {
      const pid = Number(id.slice(PREFIX.length))
      return Number.isInteger(pid) && pid !== process.pid && !alive(pid)
    })
  if (dead.length > 0) await pool.query('select graphile_worker.force_unlock_workers($1::text[])', [dead])
  return dead
}
