import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { readDocuments } from '../src/intake/documents.js'
import { storeBatch } from '../src/intake/store.js'
import { locateSubjectsJob } from '../src/locating/jobs.js'
import { matchReferralsJob } from '../src/matching/jobs.js'
import { assessSubjectsJob } from '../src/packages/jobs.js'
import { type Connection, connect } from '../src/platform/db.js'
import { createLogger } from '../src/platform/logger.js'
import { resolveReferralsJob } from '../src/subjects/jobs.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { documentOf, INTAKE, leReport } from './factories.js'

// The tables a batch reads by key. A sequential scan of any of them is a whole-table read per batch,
// which is what made the stages fall behind intake at mid table sizes (docs/decisions/0004).
const BATCH_TABLES = [
  'referrals',
  'referral_files',
  'referral_identifiers',
  'referral_addresses',
  'referral_persons',
  'identifiers',
  'subjects',
  'packages',
  'package_referrals',
]

let t: TestDatabase
// One connection, so every statement of the stages runs in the backend whose statistics we flush.
let single: Connection
beforeAll(async () => {
  t = await createTestDatabase()
  single = connect(t.url, 1)
})
afterAll(async () => {
  await single.close()
  await t.drop()
})

const POSTCODES = ['DT1 1AA', 'CT1 1AA', 'BS1 1AA', 'LS1 1AA']

async function store(from: number, count: number): Promise<string[]> {
  const { read, refusals } = await readDocuments(
    Array.from({ length: count }, (_, k) => {
      const i = from + k
      const person = Math.floor(i / 2)
      return documentOf(
        leReport({
          email: `plans${person}@example.org`,
          phone: `07700 ${String(900000 + person).padStart(6, '0')}`,
          postcode: POSTCODES[person % POSTCODES.length]!,
          files: [`plans-${i}-a`, `plans-${i}-b`],
        }),
      )
    }),
  )
  expect(refusals).toEqual([])
  const outcomes = await single.db.transaction().execute((tx) => storeBatch(tx, INTAKE, read))
  return outcomes.flatMap((o) => ('referralId' in o && o.referralId ? [o.referralId] : []))
}

async function sequentialScans(): Promise<Record<string, number>> {
  // Pending counters reach shared memory when the backend goes idle after this forced flush.
  await sql`select pg_stat_force_next_flush()`.execute(single.db)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const { rows } = await sql<{ relname: string; seq_scan: string }>`
    select relname, seq_scan from pg_stat_user_tables where relname = any(${BATCH_TABLES}::text[])`.execute(
    t.db,
  )
  return Object.fromEntries(rows.map((r) => [r.relname, Number(r.seq_scan)]))
}

it('stores and runs a batch through every stage without reading a whole table, whatever the statistics say', async () => {
  // Statistics taken while the tables were nearly empty, then thousands of rows they do not know of:
  // the state every bulk load passes through.
  await store(0, 20)
  await sql`analyze`.execute(single.db)
  for (let from = 20; from < 4000; from += 500) await store(from, Math.min(500, 4000 - from))
  const context = { db: single.db, log: createLogger('silent') }
  const before = await sequentialScans()

  const referralIds = await store(4000, 300)
  expect(referralIds).toHaveLength(300)
  await matchReferralsJob.handler({ referralIds }, context)
  await resolveReferralsJob.handler({ referralIds }, context)
  const { rows } = await sql<{ id: string }>`
    select distinct subject_id as id from referrals where id = any(${referralIds}::bigint[])`.execute(
    single.db,
  )
  const subjectIds = rows.map((r) => r.id)
  expect(subjectIds.length).toBeGreaterThan(100)
  await locateSubjectsJob.handler({ subjectIds }, context)
  await assessSubjectsJob.handler({ subjectIds }, context)
  const after = await sequentialScans()

  const packaged = await sql<{ n: number }>`select count(*)::int as n from package_referrals
    where referral_id = any(${referralIds}::bigint[])`.execute(single.db)
  expect(packaged.rows[0]?.n).toBe(300)
  const scans = Object.fromEntries(
    BATCH_TABLES.map((table) => [table, (after[table] ?? 0) - (before[table] ?? 0)]),
  )
  expect(scans).toEqual(Object.fromEntries(BATCH_TABLES.map((table) => [table, 0])))
})
