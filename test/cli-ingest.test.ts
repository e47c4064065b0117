import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectRoot } from '../src/platform/paths.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { leReport } from './factories.js'

const run = promisify(execFile)
let t: TestDatabase
let dir: string

/** The compiled CLI, as a user runs it (`npm test` builds dist/ first). */
async function footprint(...args: string[]) {
  try {
    const { stdout, stderr } = await run('node', [join(projectRoot, 'bin/footprint.js'), ...args], {
      env: { ...process.env, DATABASE_URL: t.url, LOG_LEVEL: 'silent' },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string }
    return { code: e.code, stdout: e.stdout, stderr: e.stderr }
  }
}

async function referralCount() {
  const row = await t.db
    .selectFrom('referrals')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow()
  return Number(row.n)
}

beforeAll(async () => {
  t = await createTestDatabase()
  dir = await mkdtemp(join(tmpdir(), 'footprint-ingest-'))
})
afterAll(async () => {
  await t.drop()
  await rm(dir, { recursive: true, force: true })
})

describe('footprint ingest', () => {
  it('refuses a batch with any bad file, naming the file and field, and writes nothing', async () => {
    const good = join(dir, 'good.json')
    const notJson = join(dir, 'not-json.json')
    const wrongShape = join(dir, 'wrong-shape.json')
    const noReportId = join(dir, 'no-report-id.json')
    await writeFile(good, JSON.stringify(leReport({ email: 'cli-good@example.org', postcode: 'DT1 1AA' })))
    await writeFile(notJson, '{"reportId": 1, oops')
    const shape = leReport()
    ;(shape.reportedInformation as Record<string, unknown>).reportedPeople = { reportedPersons: 'not a list' }
    await writeFile(wrongShape, JSON.stringify(shape))
    const missing = leReport()
    delete missing.reportId
    await writeFile(noReportId, JSON.stringify(missing))

    const result = await footprint('ingest', good, notJson, wrongShape, noReportId)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(`file ${notJson}`)
    expect(result.stderr).toMatch(/not JSON/)
    expect(result.stderr).toContain(`file ${wrongShape}`)
    expect(result.stderr).toContain('field reportedPersons')
    expect(result.stderr).toContain(`file ${noReportId}`)
    expect(result.stderr).toContain('field reportId')
    expect(result.stderr).toContain('Nothing was stored')
    expect(await referralCount()).toBe(0)
  })

  it('accepts good files, runs the pipeline, and reports a second run as already received', async () => {
    const file = join(dir, 'accepted.json')
    await writeFile(file, JSON.stringify(leReport({ email: 'cli-ok@example.org', postcode: 'DT1 1AA' })))
    const first = await footprint('ingest', file)
    expect(first.code, first.stderr).toBe(0)
    expect(first.stdout).toContain('accepted')
    const packages = await t.db.selectFrom('packages').select(['force_id', 'status']).execute()
    expect(packages).toEqual([{ force_id: 'dorset', status: 'awaiting_review' }])
    const second = await footprint('ingest', file)
    expect(second.stdout).toContain('already received')
    expect(await referralCount()).toBe(1)
  })
})
