import { userInfo } from 'node:os'
import { type Actor, systemActor } from '../access/model.js'
import { jobs } from '../jobs.js'
import { type Config, ConfigError, loadConfig } from '../platform/config.js'
import { createLogger, type Logger } from '../platform/logger.js'
import { drainQueue } from '../platform/queue.js'
import { cliWorkerId, releaseDeadCliWorkers } from '../platform/queue-recovery.js'
import { openRuntime, type Runtime } from '../platform/runtime.js'

export interface CommandContext {
  config: Config
  log: Logger
  runtime: Runtime
  /** The operator at the terminal, for the audit trail. */
  actor: Actor
  /** Runs the pipeline jobs waiting now, so a command's effects are complete when it returns. */
  drain(): Promise<void>
}

export function readConfig(): Config {
  try {
    return loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(2)
    }
    throw error
  }
}

/** Opens the database for a one-shot command, runs it, and always closes what it opened. */
export async function withRuntime<T>(
  run: (context: CommandContext) => Promise<T>,
  options: { logLevel?: string } = {},
): Promise<T> {
  const config = readConfig()
  const log = createLogger(options.logLevel ?? (config.logLevel === 'info' ? 'warn' : config.logLevel))
  const runtime = await openRuntime(config, log)
  const context: CommandContext = {
    config,
    log,
    runtime,
    actor: systemActor(`cli:${userInfo().username}`),
    drain: async () => {
      await releaseDeadCliWorkers(runtime.pool)
      await drainQueue(runtime.pool, jobs, { db: runtime.db, log }, { workerId: cliWorkerId })
    },
  }
  // Interrupted: close the pool and stop the embedded Postgres this command started, then leave.
  const interrupt = () => void runtime.shutdown().finally(() => process.exit(130))
  process.once('SIGINT', interrupt)
  process.once('SIGTERM', interrupt)
  try {
    return await run(context)
  } finally {
    process.removeListener('SIGINT', interrupt)
    process.removeListener('SIGTERM', interrupt)
    await runtime.shutdown()
  }
}
