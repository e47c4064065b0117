/**
 * COPY FROM STDIN through a Kysely connection, so that append-only rows (a referral's contents, audit
 * rows) go into the caller's transaction by Postgres's bulk-load path. Against `insert ... select
 * from unnest(arrays)`, COPY of a batch's 6,000 identifier rows took half the server CPU and a
 * quarter less client CPU (docs/decisions/0004): no array literals to build and parse, no executor
 * plan, and rows go in by multi-insert with fewer WAL records.
 *
 * Kysely has no COPY, and its transaction hides its pg client. The pool handed to Kysely therefore
 * gives it clients that recognise one marker statement: its single parameter is the COPY to run, on
 * that same client, so it is inside whatever transaction that client is in.
 */
import {
  CompiledQuery,
  type PostgresCursor,
  type PostgresPool,
  type PostgresPoolClient,
  type PostgresQueryResult,
} from 'kysely'
import type pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import type { BulkColumn } from './bulk-insert.js'

/** The statement text that asks the client for a COPY; never sent to Postgres. */
const COPY_MARKER = '-- footprint: copy rows'

interface CopyRequest {
  table: string
  columns: readonly BulkColumn[]
  rows: readonly (readonly unknown[])[]
}

/** COPY text format: backslash, tab and line breaks escaped. */
function escapeCopyText(text: string): string {
  return /[\\\t\n\r]/.test(text)
    ? text.replace(/[\\\t\n\r]/g, (c) =>
        c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
      )
    : text
}

/** An array literal ({"a","b"}), each element quoted, as a text[] column's input. */
function arrayLiteral(values: readonly unknown[]): string {
  return `{${values
    .map((value) =>
      value === null || value === undefined ? 'NULL' : `"${String(value).replace(/["\\]/g, '\\$&')}"`,
    )
    .join(',')}}`
}

/** One value as a COPY text field of the column's type; `\N` is null. */
export function copyField(value: unknown, type: BulkColumn['type'] = 'text'): string {
  // A list column's missing list is an empty one, as bulkInsert stores it (such columns are not null).
  if (type === 'text[]' && (value === null || value === undefined)) return '{}'
  if (value === null || value === undefined) return '\\N'
  if (Buffer.isBuffer(value)) return `\\\\x${value.toString('hex')}`
  if (type === 'text[]' && Array.isArray(value)) return escapeCopyText(arrayLiteral(value))
  if (typeof value === 'boolean') return value ? 't' : 'f'
  if (value instanceof Date) return value.toISOString()
  return escapeCopyText(String(value))
}

/** The rows as COPY text, one line each (string concatenation measured faster than joining arrays). */
export function copyText(columns: readonly BulkColumn[], rows: readonly (readonly unknown[])[]): string {
  let text = ''
  for (const row of rows) {
    let line = ''
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) line += '\t'
      line += copyField(row[i], columns[i]!.type)
    }
    text += `${line}\n`
  }
  return text
}

async function runCopy(
  client: pg.PoolClient,
  request: CopyRequest,
): Promise<{ command: 'COPY'; rowCount: number; rows: [] }> {
  const names = request.columns.map((column) => `"${column.name}"`).join(', ')
  // The text is built before the COPY starts: the server would otherwise wait for it mid-statement.
  const text = copyText(request.columns, request.rows)
  const stream = client.query(copyFrom(`copy "${request.table}" (${names}) from stdin`))
  await new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve)
    stream.on('error', reject)
    stream.end(text)
  })
  return { command: 'COPY', rowCount: stream.rowCount, rows: [] }
}

/**
 * The pool as Kysely should see it: the same clients, each also able to run the COPY marker. A
 * client whose COPY failed on our side is discarded on release rather than reused mid-protocol.
 */
export function copyCapablePool(pool: {
  connect(): Promise<pg.PoolClient>
  end(): Promise<void>
}): PostgresPool {
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>()
  return {
    async connect() {
      const client = await pool.connect()
      let wrapper = wrapped.get(client)
      if (!wrapper) {
        let broken = false
        const copy = async (request: CopyRequest) => {
          try {
            return await runCopy(client, request)
          } catch (error) {
            // An error Postgres reported leaves the protocol in step; anything else may not.
            if (!(error instanceof Error && 'severity' in error)) broken = true
            throw error
          }
        }
        // Kysely's client type overloads query (text and parameters, or a cursor); both pass on.
        function query<R>(text: string, values: readonly unknown[]): Promise<PostgresQueryResult<R>>
        function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>
        function query(text: unknown, values?: readonly unknown[]): unknown {
          return text === COPY_MARKER
            ? copy(values?.[0] as CopyRequest)
            : client.query(text as string, values as unknown[])
        }
        wrapper = { query, release: (destroy?: boolean) => client.release(destroy || broken) }
        // Kysely keeps one connection object per client it is given: the wrapper must be stable.
        wrapped.set(client, wrapper)
      }
      return wrapper
    },
    end: () => pool.end(),
  }
}

/**
 * Appends rows to a table with COPY in the caller's transaction (or on its own, with the pool).
 * For tables whose rows need nothing back: ids, when wanted, are allocated first (allocateIds).
 */
export async function copyRows(
  db: { executeQuery(query: CompiledQuery): Promise<unknown> },
  table: string,
  columns: readonly BulkColumn[],
  rows: readonly (readonly unknown[])[],
): Promise<void> {
  if (rows.length === 0) return
  const request: CopyRequest = { table, columns, rows }
  await db.executeQuery(CompiledQuery.raw(COPY_MARKER, [request]))
}
