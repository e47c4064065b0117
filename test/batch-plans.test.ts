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
import { documentOf, INTAKE, knownHashes, leReport } from './factories.js'

// The tables a batch reads by key. A sequential scan of any of them is a whole-table read per batch,
// which is what made the stages fall behind intake at mid table sizes (docs/decisions/0004).
const BATCH_TABLES = [
  'referrals',
  'referral_files',
  'referral_identifiers',
  'referral_addresses',
  'referral_persons',
  'identifiers',
  'identifier_links',
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
  // Known files among the old referrals and the new batch, so that matches exist on both sides.
  await knownHashes(t.db, [
    { text: 'plans-7-a', category: 'A' },
    { text: 'plans-4010-b', category: 'C' },
  ])
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

interface Reads {
  scans: Record<string, number>
  /** Index entries read from referral_files' indexes: a whole-index walk is a scan in disguise. */
  fileIndexEntries: number
}

async function reads(): Promise<Reads> {
  // Pending counters reach shared memory when the backend goes idle after this forced flush.
  await sql`select pg_stat_force_next_flush()`.execute(single.db)
  await new Promise((resolve) => setTimeout(resolve, 300))
  const { rows } = await sql<{ relname: string; seq_scan: string }>`
    select relname, seq_scan from pg_stat_user_tables where relname = any(${BATCH_TABLES}::text[])`.execute(
    t.db,
  )
  const files = await sql<{ n: string }>`
    select coalesce(sum(idx_tup_read), 0) as n from pg_stat_user_indexes where relname = 'referral_files'`.execute(
    t.db,
  )
  return {
    scans: Object.fromEntries(rows.map((r) => [r.relname, Number(r.seq_scan)])),
    fileIndexEntries: Number(files.rows[0]?.n ?? 0),
  }
}

it('stores and runs a batch through every stage without reading a whole table, whatever the statistics say', async () => {
  // Statistics taken while the tables were nearly empty, then thousands of rows they do not know of:
  // the state every bulk load passes through.
  await store(0, 20)
  await sql`analyze`.execute(single.db)
  for (let from = 20; from < 4000; from += 500) await store(from, Math.min(500, 4000 - from))
  const context = { db: single.db, log: createLogger('silent') }
  const before = await reads()

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
  const after = await reads()

  const packaged = await sql<{ n: number }>`select count(*)::int as n from package_referrals
    where referral_id = any(${referralIds}::bigint[])`.execute(single.db)
  expect(packaged.rows[0]?.n).toBe(300)
  const scans = Object.fromEntries(
    BATCH_TABLES.map((table) => [table, (after.scans[table] ?? 0) - (before.scans[table] ?? 0)]),
  )
  expect(scans).toEqual(Object.fromEntries(BATCH_TABLES.map((table) => [table, 0])))
  // The batch's 600 files are looked up a few times over; one walk of the index reads all 8,600.
  const { rows: total } = await sql<{ n: number }>`select count(*)::int as n from referral_files`.execute(
    t.db,
  )
  expect(after.fileIndexEntries - before.fileIndexEntries).toBeLessThan(total[0]!.n / 2)
})
