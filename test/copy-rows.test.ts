import fc from 'fast-check'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type BulkColumn, bulkInsert } from '../src/platform/bulk-insert.js'
import { copyRows } from '../src/platform/copy.js'
import { createTestDatabase, type TestDatabase } from './database.js'

/**
 * COPY (copyRows) must store exactly what the parameterised insert (bulkInsert) stores, for any
 * value intake or the audit can hand it, and fail as a statement does: the transaction rolls back
 * and the pool's connections stay usable.
 */
let t: TestDatabase

const COLUMNS: BulkColumn[] = [
  { name: 'n', type: 'bigint' },
  { name: 'label', type: 'text' },
  { name: 'tags', type: 'text[]' },
  { name: 'flag', type: 'boolean' },
  { name: 'count', type: 'int' },
  { name: 'at', type: 'timestamptz' },
  { name: 'details', type: 'jsonb' },
  { name: 'body', type: 'bytea' },
]
const TABLE =
  '(n bigint, label text, tags text[], flag boolean, count int, at timestamptz, details jsonb, body bytea)'

beforeAll(async () => {
  t = await createTestDatabase()
  await sql.raw(`create table copied ${TABLE}; create table inserted ${TABLE}`).execute(t.db)
})
afterAll(async () => {
  await t.drop()
})

// Postgres text cannot hold U+0000; everything else, including COPY's and array literals' own
// delimiters, must survive.
const awkward = fc.oneof(
  fc.string({ unit: 'binary' }).map((s) => s.replaceAll('\u0000', '')),
  fc.constantFrom('\\', '\\N', '\t', '\n', '\r\n', '"', '{}', '{a,b}', 'NULL', ',', ' ', ''),
)
const row = fc.tuple(
  fc.option(awkward, { nil: null }),
  fc.option(fc.array(fc.option(awkward, { nil: null }), { maxLength: 4 }), { nil: null }),
  fc.option(fc.boolean(), { nil: null }),
  fc.option(fc.integer(), { nil: null }),
  fc.option(
    fc
      .date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
      .map((d) => d.toISOString()),
    { nil: null },
  ),
  fc.option(
    fc.dictionary(awkward, awkward, { maxKeys: 3 }).map((o) => JSON.stringify(o)),
    { nil: null },
  ),
  fc.option(
    fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
    { nil: null },
  ),
)

describe('copyRows', () => {
  it('stores exactly what a parameterised insert stores, for any text, array, JSON or bytes', async () => {
    let batch = 0
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 20 }), async (generated) => {
        batch++
        const rows = generated.map((values, i) => [String(batch * 100 + i), ...values])
        await t.db.transaction().execute(async (tx) => {
          await copyRows(tx, 'copied', COLUMNS, rows)
          await bulkInsert('inserted', COLUMNS, rows).execute(tx)
        })
        const read = async (table: string) =>
          (
            await sql
              .raw<Record<string, unknown>>(`select * from ${table} where n / 100 = ${batch} order by n`)
              .execute(t.db)
          ).rows
        const copied = await read('copied')
        expect(copied).toHaveLength(rows.length)
        expect(copied).toEqual(await read('inserted'))
      }),
      { numRuns: 60 },
    )
  })

  it('fails as a statement does: nothing of the transaction is kept and the connections still work', async () => {
    const before = await sql<{ n: number }>`select count(*)::int as n from copied`.execute(t.db)
    const failing = t.db.transaction().execute(async (tx) => {
      await copyRows(tx, 'copied', COLUMNS, [['1', 'kept?', null, null, null, null, null, null]])
      await copyRows(tx, 'copied', COLUMNS, [['2', 'bad time', null, null, null, 'not a time', null, null]])
    })
    await expect(failing).rejects.toThrow(/timestamp|time zone|date\/time/i)
    const after = await sql<{ n: number }>`select count(*)::int as n from copied`.execute(t.db)
    expect(after.rows[0]!.n).toBe(before.rows[0]!.n)
    // More queries than the pool has connections: a connection left mid-COPY would fail one.
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, i) => sql<{ i: number }>`select ${i}::int as i`.execute(t.db)),
    )
    expect(answers.map((a) => a.rows[0]!.i)).toEqual(Array.from({ length: 12 }, (_, i) => i))
  })

  it('runs on its own outside a transaction', async () => {
    await copyRows(t.db, 'copied', COLUMNS, [['900001', 'alone', ['x'], true, 1, null, '{}', null]])
    const stored = await sql<{ label: string }>`select label from copied where n = 900001`.execute(t.db)
    expect(stored.rows).toEqual([{ label: 'alone' }])
  })
})
