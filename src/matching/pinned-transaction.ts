import { Kysely, PostgresDialect } from 'kysely'
import type pg from 'pg'
import { copyCapablePool } from '../platform/copy.js'
import type { Db } from '../platform/db.js'
import type { Database } from '../platform/schema.js'

export interface PinnedTransaction {
  /** The raw connection, for what Kysely cannot do (COPY FROM STDIN). */
  client: pg.PoolClient
  /** Kysely over the same connection: every query is inside the transaction. */
  tx: Db
}

/**
 * One transaction on one pooled connection, reachable both raw and through Kysely. An import
 * streams its list with COPY (raw client only) and must commit it together with the entries,
 * the audit row and the change-log row, so all of them go through the same connection.
 */
export async function withPinnedTransaction<T>(
  pool: pg.Pool,
  run: (session: PinnedTransaction) => Promise<T>,
): Promise<T> {
  const client = await pool.connect()
  // Kysely "releases" after every query; the connection must stay ours until commit.
  const pinned = new Proxy(client, {
    get(target, property) {
      if (property === 'release') return () => undefined
      const value: unknown = Reflect.get(target, property, target)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
  const tx = new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: copyCapablePool({ connect: async () => pinned, end: async () => undefined }),
    }),
  })
  let failed = false
  try {
    await client.query('begin')
    const result = await run({ client, tx })
    await client.query('commit')
    return result
  } catch (error) {
    failed = true
    await client.query('rollback').catch(() => undefined)
    throw error
  } finally {
    await tx.destroy()
    // A connection left mid-COPY after an error is not safe to reuse.
    client.release(failed)
  }
}
