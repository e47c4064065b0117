import { loadReferenceData } from '../locating/reference-data.js'
import type { Config } from './config.js'
import { type Connection, connect } from './db.js'
import { type RunningDatabase, startEmbeddedPostgres } from './embedded-postgres.js'
import type { Logger } from './logger.js'
import { migrate } from './migrate.js'

export interface Runtime extends Connection {
  database: RunningDatabase
  /** Closes the pool, then stops the embedded Postgres if this process started it. */
  shutdown(): Promise<void>
}

/**
 * The database every command needs: DATABASE_URL, or the embedded Postgres under the data folder
 * (joined if another Footprint process runs it); migrated and with reference data loaded.
 */
export async function openRuntime(
  config: Config,
  log: Logger,
  options: { poolSize?: number } = {},
): Promise<Runtime> {
  const database: RunningDatabase = config.databaseUrl
    ? { url: config.databaseUrl, owned: false, stop: async () => undefined }
    : await startEmbeddedPostgres(config.dataDir, config.embeddedPort, log)
  const connection = connect(database.url, options.poolSize ?? 10)
  try {
    await migrate(connection.pool, log)
    if (await loadReferenceData(connection.db)) log.info('reference data loaded')
  } catch (error) {
    await connection.close().catch(() => undefined)
    await database.stop().catch(() => undefined)
    throw error
  }
  return {
    ...connection,
    database,
    shutdown: async () => {
      await connection.close().catch((error: unknown) => log.error({ err: error }, 'closing the pool failed'))
      await database.stop()
    },
  }
}
