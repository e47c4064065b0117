import { sql } from 'kysely'
import type { Queryable } from './db.js'

/**
 * Turns off per-row triggers (in this schema: foreign-key checks) for the rest of the transaction,
 * when the role may (a superuser such as the embedded server's, or one granted
 * `SET ON PARAMETER session_replication_role`); otherwise leaves them on, which is correct, only
 * slower. Callers use it only for set-based statements whose every key is a row the same transaction
 * inserted or locked, or a row that is never deleted, and call `restoreRowTriggers` before anything
 * else is written. Unique indexes and check constraints still apply. Returns whether it took effect.
 */
export async function skipRowTriggers(tx: Queryable): Promise<boolean> {
  await sql`savepoint skip_row_triggers`.execute(tx)
  try {
    await sql`set local session_replication_role = replica`.execute(tx)
    await sql`release savepoint skip_row_triggers`.execute(tx)
    return true
  } catch {
    await sql`rollback to savepoint skip_row_triggers`.execute(tx)
    return false
  }
}

export async function restoreRowTriggers(tx: Queryable, skipped: boolean): Promise<void> {
  if (skipped) await sql`set local session_replication_role = default`.execute(tx)
}
