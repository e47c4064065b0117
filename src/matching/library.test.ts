import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../test/database.js'
import { documentOf, INTAKE, leReport, md5Of } from '../../test/factories.js'
import { ingestDocuments } from '../intake/service.js'
import { packageContents } from '../packages/contents.js'
import { HashListError } from './formats/hash-list-entry.js'
import type { Rejection } from './hash-list-sources.js'
import { importHashList } from './import.js'
import { LibraryMatcher, matcherFor } from './matcher.js'
import { setHashSetState, withdrawHashes } from './withdraw.js'

let t: TestDatabase
let dir: string

beforeAll(async () => {
  t = await createTestDatabase()
  dir = await mkdtemp(join(tmpdir(), 'footprint-library-'))
})
afterAll(async () => {
  await t.drop()
  await rm(dir, { recursive: true, force: true })
})

/** A PDQ hash from a seed, and one at exactly `bits` distance from it. */
function pdqOf(seed: number): string {
  let hex = ''
  let state = seed * 2_654_435_761
  for (let i = 0; i < 64; i++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0
    hex += (state >>> 28).toString(16)
  }
  return hex
}
function flipBits(hex: string, bits: number): string {
  const digits = hex.split('').map((d) => Number.parseInt(d, 16))
  for (let b = 0; b < bits; b++) digits[b % 64] = digits[b % 64]! ^ (1 << Math.floor(b / 64))
  return digits.map((d) => d.toString(16)).join('')
}

async function listFile(name: string, lines: string[]): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, `${lines.join('\n')}\n`)
  return path
}

async function ingestWithFiles(files: { text: string; pdq?: string }[], email: string) {
  const report = leReport({ email, postcode: 'DT1 1AA', files: files.map((f) => f.text) })
  const uploaded = (
    report.reportedInformation as { uploadedFiles: { uploadedFiles: Record<string, unknown>[] } }
  ).uploadedFiles.uploadedFiles
  files.forEach((f, i) => {
    if (f.pdq) uploaded[i]!.espMetadata = { metadatas: [{ name: 'PDQ', value: f.pdq }] }
  })
  const result = await ingestDocuments(t.db, INTAKE, [documentOf(report)])
  expect(result.refusals).toEqual([])
  await t.drain()
  const pkg = await t.db
    .selectFrom('packages')
    .innerJoin('package_referrals', 'package_referrals.package_id', 'packages.id')
    .innerJoin('referrals', 'referrals.id', 'package_referrals.referral_id')
    .select(['packages.id', 'packages.force_id'])
    .where('referrals.source_reference', '=', String(report.reportId))
    .executeTakeFirstOrThrow()
  return () => packageContents(t.db, pkg.id, pkg.force_id)
}

describe('importing hash lists', () => {
  it('refuses a file with a bad line in the middle, naming line and field, and writes nothing', async () => {
    const path = await listFile('bad.pdq', [pdqOf(1), pdqOf(2), 'not-a-hash,90', pdqOf(3)])
    const attempt = importHashList(t.pool, INTAKE, {
      path,
      format: 'pdq',
      set: { name: 'Bad list', source: 'tests' },
    })
    await expect(attempt).rejects.toBeInstanceOf(HashListError)
    await expect(attempt).rejects.toThrow(/line 3, field hash/)
    const sets = await t.db.selectFrom('hash_sets').select('id').where('name', '=', 'Bad list').execute()
    expect(sets).toEqual([])
    const audits = await t.db
      .selectFrom('audit_events')
      .select('id')
      .where('action', '=', 'hash_set.imported')
      .execute()
    expect(audits).toEqual([])
  })

  it('in partial mode imports the good lines and hands each bad one to the reject file', async () => {
    const path = await listFile('partial.pdq', [pdqOf(11), 'zz', `${pdqOf(12)},101`, pdqOf(13)])
    const rejected: Rejection[] = []
    const summary = await importHashList(t.pool, INTAKE, {
      path,
      format: 'pdq',
      set: { name: 'Partial list', source: 'tests' },
      partial: { reject: async (r) => void rejected.push(r) },
    })
    expect(summary).toMatchObject({ read: 2, added: 2, rejected: 2 })
    expect(rejected.map((r) => [r.line, r.field])).toEqual([
      [2, 'hash'],
      [3, 'quality'],
    ])
  })

  it('supersedes a changed entry and keeps the old row as history', async () => {
    const csv = (category: string) => ['algorithm,value,category', `md5,${md5Of('history')},${category}`]
    await importHashList(t.pool, INTAKE, {
      path: await listFile('h1.csv', csv('C')),
      format: 'csv',
      set: { name: 'History', source: 'tests' },
    })
    const again = await importHashList(t.pool, INTAKE, {
      path: await listFile('h2.csv', csv('A')),
      format: 'csv',
      set: { name: 'History', source: 'tests' },
    })
    expect(again).toMatchObject({ added: 0, superseded: 1, unchanged: 0 })
    const rows = await t.db
      .selectFrom('known_hashes')
      .select(['category', 'withdrawn_at', 'superseded_by'])
      .where('value', '=', md5Of('history'))
      .orderBy('id')
      .execute()
    expect(rows.map((r) => [r.category, r.withdrawn_at !== null, r.superseded_by !== null])).toEqual([
      ['C', true, true],
      ['A', false, false],
    ])
  })
})

describe('matching referral files against the library', () => {
  it('stops counting a withdrawn entry in the package counts', async () => {
    await importHashList(t.pool, INTAKE, {
      path: await listFile('w.csv', ['algorithm,value,category', `md5,${md5Of('withdraw-me')},A`]),
      format: 'csv',
      set: { name: 'Withdrawals', source: 'tests' },
    })
    await t.drain()
    const contents = await ingestWithFiles([{ text: 'withdraw-me' }], 'withdraw@example.org')
    expect((await contents()).matchesBySet).toEqual([{ hashSet: 'Withdrawals', category: 'A', files: 1 }])
    await withdrawHashes(t.db, INTAKE, { set: 'Withdrawals', values: [md5Of('withdraw-me')], reason: 'test' })
    await t.drain()
    expect((await contents()).matchesByCategory).toEqual([])
  })

  it('counts a PDQ match within the radius and not one beyond it, with its distance', async () => {
    const known = pdqOf(21)
    await importHashList(t.pool, INTAKE, {
      path: await listFile('near.pdq', [known]),
      format: 'pdq',
      set: { name: 'Near', source: 'tests' },
      read: { category: 'B' },
    })
    await t.drain()
    const contents = await ingestWithFiles(
      [
        { text: 'near-file', pdq: flipBits(known, 30) },
        { text: 'far-file', pdq: flipBits(known, 40) },
      ],
      'pdq@example.org',
    )
    expect((await contents()).matchesBySet).toEqual([{ hashSet: 'Near', category: 'B', files: 1 }])
    const distances = await t.db
      .selectFrom('file_matches')
      .select(['distance', 'algorithm'])
      .where('algorithm', '=', 'pdq')
      .execute()
    expect(distances).toContainEqual({ distance: 30, algorithm: 'pdq' })
    expect(distances.some((d) => d.distance > 31)).toBe(false)
  })

  it('never counts a disabled set, and rematches a referral when a later import matches it', async () => {
    const later = pdqOf(31)
    const contents = await ingestWithFiles(
      [{ text: 'later-file', pdq: flipBits(later, 3) }],
      'later@example.org',
    )
    expect((await contents()).matchesByCategory).toEqual([])
    await importHashList(t.pool, INTAKE, {
      path: await listFile('later.pdq', [later]),
      format: 'pdq',
      set: { name: 'Later', source: 'tests' },
      read: { category: 'A' },
    })
    await t.drain()
    expect((await contents()).matchesBySet).toEqual([{ hashSet: 'Later', category: 'A', files: 1 }])
    await setHashSetState(t.db, INTAKE, 'Later', false, 'test')
    await t.drain()
    expect((await contents()).matchesByCategory).toEqual([])
    expect(await matcherFor(t.db).match([{ pdq: later }])).toEqual([[]])
  })
})

describe('the in-memory PDQ index', () => {
  it('takes an import incrementally, without another full build', async () => {
    const matcher = new LibraryMatcher(t.db, { radius: 31, qualityFloor: 50 })
    const hash = pdqOf(41)
    expect(await matcher.match([{ pdq: hash }])).toEqual([[]])
    expect(matcher.pdq.stats.fullBuilds).toBe(1)
    await importHashList(t.pool, INTAKE, {
      path: await listFile('incremental.pdq', [`${hash},90`, `${pdqOf(42)},10`]),
      format: 'pdq',
      set: { name: 'Incremental', source: 'tests' },
      read: { category: 'C' },
    })
    const [found] = await matcher.match([{ pdq: flipBits(hash, 5) }, { pdq: pdqOf(42) }])
    expect(found).toMatchObject([{ hashSet: 'Incremental', category: 'C', distance: 5, algorithm: 'pdq' }])
    // The second entry is below the quality floor: stored, never matched.
    expect((await matcher.match([{ pdq: pdqOf(42) }]))[0]).toEqual([])
    expect(matcher.pdq.stats.fullBuilds).toBe(1)
    expect(matcher.pdq.stats.changesApplied).toBeGreaterThan(0)
  })

  it('exports what was imported, as PDQ text', async () => {
    const { exportHashSet } = await import('./export.js')
    let text = ''
    const count = await exportHashSet(
      t.db,
      INTAKE,
      { set: 'Incremental', format: 'pdq', destination: 'test' },
      async (chunk) => {
        text += chunk
      },
    )
    expect(count).toBe(2)
    expect(text).toBe(`${pdqOf(41)},90\n${pdqOf(42)},10\n`)
    expect(await readFile(join(dir, 'incremental.pdq'), 'utf8')).toBe(text)
  })
})
