import { spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { projectRoot } from '../src/platform/paths.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { knownHashes, leReport } from './factories.js'

const REPORTS = 4000
let t: TestDatabase
let dir: string

beforeAll(async () => {
  t = await createTestDatabase()
  dir = await mkdtemp(join(tmpdir(), 'footprint-kill-'))
  await knownHashes(t.db, [{ text: 'known-kill', category: 'B' }])
  // Pairs of reports share an e-mail (one subject each); every tenth has a known file.
  for (let i = 0; i < REPORTS; i++) {
    const report = leReport({
      reportId: 700_000_000 + i,
      email: `kill-${Math.floor(i / 2)}@example.org`,
      postcode: i % 3 === 0 ? 'CT1 1AA' : 'DT1 1AA',
      files: i % 10 === 0 ? ['known-kill', `other-${i}`] : [`other-${i}`],
    })
    await writeFile(join(dir, `${String(i).padStart(5, '0')}.json`), JSON.stringify(report))
  }
})
afterAll(async () => {
  await rm(dir, { recursive: true, force: true })
  await t.drop()
})

/** Runs the compiled CLI; kills it with SIGKILL after `killAfterMs` if given. */
function ingest(
  killAfterMs?: number,
): Promise<{ code: number | null; signal: string | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      'node',
      [join(projectRoot, 'bin/footprint.js'), 'ingest', dir, '--batch-size', '250'],
      {
        env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let stdout = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    const timer = killAfterMs === undefined ? null : setTimeout(() => child.kill('SIGKILL'), killAfterMs)
    child.on('error', reject)
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer)
      resolve({ code, signal, stdout })
    })
  })
}

async function counts() {
  const result = await sql<Record<string, number>>`select
    (select count(*)::int from referrals) as referrals,
    (select count(*)::int from (select source_reference from referrals group by 1 having count(*) > 1) d) as "repeatedReports",
    (select count(*)::int from referral_documents) as documents,
    (select count(*)::int from referral_files) as files,
    (select count(*)::int from file_matches) as matches,
    (select count(*)::int from referrals where subject_id is null) as unlinked,
    (select count(*)::int from subjects where merged_into is null) as subjects,
    (select count(*)::int from (select subject_id from packages group by 1 having count(*) > 1) p) as "subjectsWithTwoPackages",
    (select count(*)::int from packages) as packages,
    (select count(*)::int from (select referral_id from package_referrals group by 1 having count(*) > 1) pr) as "referralsInTwoPackages",
    (select count(*)::int from referrals where status not in ('triaged', 'unlocated')) as unfinished,
    (select count(*)::int from audit_events where action = 'referral.ingested') as "ingestAudits",
    (select count(*)::int from graphile_worker.jobs) as jobs`.execute(t.db)
  return result.rows[0]!
}

it('stores every referral and runs every job exactly once across SIGKILLs and re-runs', {
  timeout: 120_000,
}, async () => {
  const started = performance.now()
  // Seeded so a failure can be reproduced; the points fall in reading, storing and draining.
  let seed = 20261129
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31
    return seed / 2 ** 31
  }
  const killed: number[] = []
  // What each kill left behind: referrals stored and jobs waiting.
  const states: string[] = []
  for (const range of [
    [1500, 3000],
    [2500, 4000],
    [3000, 5000],
    [3500, 5500],
  ] as const) {
    const after = Math.round(range[0] + random() * (range[1] - range[0]))
    const run = await ingest(after)
    if (run.signal !== 'SIGKILL') continue
    killed.push(after)
    const c = await counts()
    states.push(`${c.referrals} stored/${c.jobs} jobs`)
    // Whole batches only: a kill never leaves part of a batch.
    expect((c.referrals ?? -1) % 250).toBe(0)
  }
  expect(killed.length).toBeGreaterThanOrEqual(3)
  const final = await ingest()
  expect(final.code).toBe(0)
  await t.drain()
  const c = await counts()
  expect(c).toMatchObject({
    referrals: REPORTS,
    repeatedReports: 0,
    documents: REPORTS,
    files: REPORTS + REPORTS / 10,
    matches: REPORTS / 10,
    unlinked: 0,
    subjects: REPORTS / 2,
    subjectsWithTwoPackages: 0,
    referralsInTwoPackages: 0,
    unfinished: 0,
    ingestAudits: REPORTS,
    jobs: 0,
  })
  expect(c.packages).toBe(REPORTS / 2)
  // The last run found everything already stored but what the kills lost.
  expect(final.stdout).toMatch(/\d+ accepted, \d+ already received/)
  console.log(
    `kill test: killed at ${killed.join(', ')} ms leaving ${states.join('; ')}; ${Math.round(performance.now() - started)} ms in all`,
  )
})
