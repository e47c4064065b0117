import { Kysely, PostgresDialect, sql, type Transaction } from 'kysely'
import pg from 'pg'
import { copyCapablePool } from './copy.js'
import type { Database } from './schema.js'

export type Db = Kysely<Database>
export type Tx = Transaction<Database>
/** Either the pool or an open transaction: repos take this so a use case can compose them in one commit. */
export type Queryable = Db | Tx

// bigint ids come back as strings (exact); counts are cast in SQL where a number is wanted.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => v)
// Dates (no time) stay as ISO strings: a date is not an instant, and shifting it by time zone is a bug.
pg.types.setTypeParser(pg.types.builtins.DATE, (v) => v)

export interface Connection {
  db: Db
  pool: pg.Pool
  close(): Promise<void>
}

/**
 * Run on every new connection. Postgres' stock `random_page_cost` (4) prices an index probe as a disk
 * seek; Footprint's working set is cached, and its pipeline drives every step from a batch of ids
 * through an index. With 4, tables of roughly 40k–200k rows got whole-table scans per batch
 * (docs/decisions/0004); 1.1 is the usual value for SSD or cached data. Only the stock value is
 * replaced: a value an operator chose (server, database, role or PGOPTIONS) stands. A statement
 * rather than a startup option, which connection poolers such as PgBouncer refuse.
 */
export const SESSION_SETUP = `select set_config('random_page_cost', '1.1', false)
  where current_setting('random_page_cost') = '4'`

export function connect(url: string, max = 10): Connection {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    // Awaited by the pool before the connection is handed out (a query queued from the 'connect' event
    // ran concurrently with the caller's first, which pg deprecates). A failure only leaves the stock
    // cost in place, so it must not fail the query the connection was opened for.
    onConnect: async (client) => {
      await client.query(SESSION_SETUP).catch(() => undefined)
    },
  })
  // Its clients can also COPY (copyRows) inside the transaction they are in.
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: copyCapablePool(pool) }) })
  return {
    db,
    pool,
    // Kysely's destroy ends the pool too.
    close: () => db.destroy(),
  }
}

/**
 * `= any(array)` for a batch of ids: one parameter however many ids, where `in (...)` sends one each
 * and makes Postgres parse and plan a list as long as the batch.
 */
export const anyId = (ids: readonly string[]) => sql<string>`any(${ids}::bigint[])`

/**
 * For a transaction whose every statement reads by a batch of keys: intake and the pipeline stages.
 * Their right plan is always index lookups from the batch, but during a bulk load the statistics lag
 * the tables (a column analysed while still mostly empty, a table analysed at a tenth of its size)
 * and the planner, expecting tens of thousands of rows per batch, read whole tables per batch, so the
 * stages fell behind intake (docs/decisions/0004). A sequential scan stays possible where a table
 * has no usable index; it is only priced as a last resort.
 */
export async function planForBatchLookups(tx: Tx): Promise<void> {
  // No parallel workers either: a batch's few thousand rows never repay starting them, and on a small
  // machine they only take cores from the other stages.
  await sql`select set_config('enable_seqscan', 'off', true), set_config('max_parallel_workers_per_gather', '0', true)`.execute(
    tx,
  )
}
