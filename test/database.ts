import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { inject } from 'vitest'
import { jobs } from '../src/jobs.js'
import { type Connection, connect } from '../src/platform/db.js'
import { createLogger } from '../src/platform/logger.js'
import { drainQueue } from '../src/platform/queue.js'

export interface TestDatabase extends Connection {
  url: string
  /** Runs the pipeline jobs until none is waiting, as the worker would. */
  drain(): Promise<void>
  drop(): Promise<void>
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/** A fresh database cloned from the migrated template: each test file owns one, so files run in parallel. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const server = inject('serverUrl')
  const name = `fp_test_${randomBytes(6).toString('hex')}`
  const admin = new pg.Client({ connectionString: withDatabase(server, 'postgres') })
  await admin.connect()
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.query(`create database ${name} template ${inject('templateDatabase')}`)
      break
    } catch (error) {
      // Two files cloning at the same instant: the template is briefly "being accessed".
      if (attempt > 20 || !String((error as Error).message).includes('being accessed')) throw error
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200))
    }
  }
  await admin.end()
  const url = withDatabase(server, name)
  const connection = connect(url, 5)
  const log = createLogger('silent')
  return {
    ...connection,
    url,
    drain: () => drainQueue(connection.pool, jobs, { db: connection.db, log }),
    drop: async () => {
      await connection.close()
      const a = new pg.Client({ connectionString: withDatabase(server, 'postgres') })
      await a.connect()
      await a.query(`drop database if exists ${name} with (force)`)
      await a.end()
    },
  }
}
