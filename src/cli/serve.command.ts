import type { Command } from 'commander'
import { ensureDemoUsers } from '../access/service.js'
import { jobs } from '../jobs.js'
import { loadDemoOperation } from '../operations/demo-loader.js'
import { buildApp } from '../platform/http/app.js'
import { createLogger } from '../platform/logger.js'
import { drainQueue, startWorker } from '../platform/queue.js'
import { openRuntime } from '../platform/runtime.js'
import { readConfig } from './context.js'
import { printDemoUsers } from './demo.command.js'

export function registerServeCommand(program: Command) {
  program
    .command('serve')
    .description(
      'Run the web UI, the API and the pipeline worker (embedded Postgres unless DATABASE_URL is set)',
    )
    .option('--demo', 'create demo users and load the demo operation on a new database')
    .option('--no-worker', 'serve HTTP only; run `footprint worker` elsewhere')
    .action(async (options: { demo?: boolean; worker: boolean }) => {
      const config = readConfig()
      // At an interactive terminal (npm start) request logs would bury the sign-ins; a service
      // manager or container (no TTY) gets the full JSON log. LOG_LEVEL always wins.
      const log = createLogger(process.env.LOG_LEVEL || !process.stderr.isTTY ? config.logLevel : 'warn')
      const started = Date.now()
      const runtime = await openRuntime(config, log)
      const context = { db: runtime.db, log }
      const worker = options.worker
        ? await startWorker(runtime.pool, jobs, context, config.workerConcurrency)
        : null
      const app = await buildApp({
        db: runtime.db,
        log,
        secureCookies: config.secureCookies,
        sessionHours: config.sessionHours,
        cacheViews: true,
      })

      let stopping = false
      const stop = async (signal: string) => {
        if (stopping) return
        stopping = true
        log.info({ signal }, 'shutting down')
        await app.close().catch((error: unknown) => log.error({ err: error }, 'closing HTTP failed'))
        await worker
          ?.stop()
          .catch((error: unknown) => log.error({ err: error }, 'stopping the worker failed'))
        await runtime
          .shutdown()
          .catch((error: unknown) => log.error({ err: error }, 'stopping the database failed'))
        process.exit(0)
      }
      process.on('SIGINT', () => void stop('SIGINT'))
      process.on('SIGTERM', () => void stop('SIGTERM'))

      if (options.demo) {
        printDemoUsers(await ensureDemoUsers(runtime.db))
        const demo = await loadDemoOperation(runtime.db, () => drainQueue(runtime.pool, jobs, context))
        if (demo.loaded) {
          console.log(
            `Demo operation ${demo.operationCode} loaded: ${demo.referrals} referrals, ${demo.packagesApproved} packages sent, ${demo.outcomes} outcomes.`,
          )
        }
      }
      await app.listen({ port: config.port, host: config.host })
      const url = `http://${config.host === '127.0.0.1' || config.host === '0.0.0.0' ? 'localhost' : config.host}:${config.port}`
      console.log(
        `Footprint is running at ${url} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s). Press Ctrl-C to stop.`,
      )
    })
}
