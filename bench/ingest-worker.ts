// The pipeline worker of `npm run bench -- ingest`, in a process of its own as `footprint worker` runs
// beside the API in a deployment (docs/architecture.md): the stages' JavaScript then runs on its own
// event loop instead of delaying intake's. Forked by bench/ingest.ts with the database URL and the
// worker concurrency; on 'stop' it stops, reports its time per stage and CPU seconds, and exits.
import { jobs } from '../src/jobs.js'
import { connect } from '../src/platform/db.js'
import { createLogger } from '../src/platform/logger.js'
import { type JobDefinition, startWorker } from '../src/platform/queue.js'

export interface WorkerReport {
  stageMs: [string, number][]
  /** CPU seconds of the worker process so far (since it started). */
  cpuSeconds: number
}

/** Wraps each job to add up the time spent inside it, so that the slowest stage shows itself. */
export function timedJobs(stageMs: Map<string, number>): JobDefinition[] {
  return jobs.map(
    (job): JobDefinition => ({
      ...job,
      async handler(payload, context) {
        const start = performance.now()
        await job.handler(payload, context)
        stageMs.set(job.name, (stageMs.get(job.name) ?? 0) + performance.now() - start)
      },
    }),
  )
}

function cpuSeconds(): number {
  const usage = process.cpuUsage()
  return (usage.user + usage.system) / 1e6
}

async function main(): Promise<void> {
  const [url, workers] = process.argv.slice(2)
  if (!url || !process.send) throw new Error('usage: forked by bench/ingest.ts with URL and WORKERS')
  const log = createLogger('warn')
  const connection = connect(url, 8)
  // The scratch database is dropped with force at the end; a connection cut by that is expected.
  connection.pool.on('error', () => undefined)
  const stageMs = new Map<string, number>()
  const worker = await startWorker(
    connection.pool,
    timedJobs(stageMs),
    { db: connection.db, log },
    Number(workers),
  )
  process.send({ ready: true, cpuSeconds: cpuSeconds() })
  process.on('message', async (message: unknown) => {
    if (message !== 'stop') return
    await worker.stop()
    await connection.close()
    const report: WorkerReport = { stageMs: [...stageMs], cpuSeconds: cpuSeconds() }
    process.send?.(report, () => process.exit(0))
  })
}

if (process.argv[1]?.endsWith('ingest-worker.js')) await main()
