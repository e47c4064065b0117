import { createHash } from 'node:crypto'
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Logger as QueueLogger, runMigrations as runQueueMigrations } from 'graphile-worker'
import type pg from 'pg'
import type { Logger } from './logger.js'
import { projectRoot } from './paths.js'

// Any number: it only has to be the same for every Footprint process sharing a database.
const MIGRATION_LOCK = 7_240_331

/**
 * Applies migrations/NNNN_name.sql in order, each in its own transaction, under an advisory lock so
 * that a server and a CLI starting together do not race. An applied file that has since changed
 * is an error: migrations are forward-only.
 */
export async function migrate(pool: pg.Pool, log: Logger): Promise<number> {
  const client = await pool.connect()
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK])
    await client.query(`create table if not exists schema_migrations (
      version int primary key, name text not null, sha256 text not null, applied_at timestamptz not null default now())`)
    const applied = new Map(
      (
        await client.query<{ version: number; sha256: string }>(
          'select version, sha256 from schema_migrations',
        )
      ).rows.map((r) => [r.version, r.sha256]),
    )
    const dir = join(projectRoot, 'migrations')
    const files = (await readdir(dir)).filter((f) => /^\d{4}_.+\.sql$/.test(f)).sort()
    let count = 0
    for (const file of files) {
      const version = Number(file.slice(0, 4))
      const sql = await readFile(join(dir, file), 'utf8')
      const sha256 = createHash('sha256').update(sql).digest('hex')
      const known = applied.get(version)
      if (known !== undefined) {
        if (known !== sha256)
          throw new Error(`migration ${file} was changed after it was applied; add a new one instead`)
        continue
      }
      await client.query('begin')
      try {
        await client.query(sql)
        await client.query('insert into schema_migrations (version, name, sha256) values ($1, $2, $3)', [
          version,
          file,
          sha256,
        ])
        await client.query('commit')
      } catch (error) {
        await client.query('rollback')
        throw new Error(`migration ${file} failed: ${(error as Error).message}`)
      }
      log.info({ migration: file }, 'migration applied')
      count++
    }
    await runQueueMigrations({ pgPool: pool, logger: quietQueueLogger })
    return count
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined)
    client.release()
  }
}

const quietQueueLogger = new QueueLogger(() => () => undefined)
