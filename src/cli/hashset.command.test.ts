import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createTestDatabase, type TestDatabase } from '../../test/database.js'
import { registerHashsetCommands } from './hashset.command.js'

let t: TestDatabase
let dir: string
const saved = { url: process.env.DATABASE_URL, level: process.env.LOG_LEVEL }

beforeAll(async () => {
  t = await createTestDatabase()
  dir = await mkdtemp(join(tmpdir(), 'footprint-hashset-cli-'))
  process.env.DATABASE_URL = t.url
  process.env.LOG_LEVEL = 'silent'
})
afterAll(async () => {
  for (const [name, value] of [
    ['DATABASE_URL', saved.url],
    ['LOG_LEVEL', saved.level],
  ] as const) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
  await t.drop()
  await rm(dir, { recursive: true, force: true })
})

/** Runs `footprint hashset ...` in-process; returns the exit code and what it printed. */
async function footprint(...args: string[]) {
  const program = new Command('footprint').exitOverride()
  registerHashsetCommands(program)
  const errors: string[] = []
  const output: string[] = []
  const error = vi.spyOn(console, 'error').mockImplementation((m: unknown) => void errors.push(String(m)))
  const log = vi.spyOn(console, 'log').mockImplementation((m: unknown) => void output.push(String(m)))
  process.exitCode = 0
  try {
    await program.parseAsync(['node', 'footprint', ...args])
    return { code: process.exitCode ?? 0, stderr: errors.join('\n'), stdout: output.join('\n') }
  } finally {
    process.exitCode = 0
    error.mockRestore()
    log.mockRestore()
  }
}

const pdq = (digit: string) => digit.repeat(64)

describe('footprint hashset import', () => {
  it('refuses a bad list with exit code 1, naming the line and field, and imports nothing', async () => {
    const file = join(dir, 'bad.pdq')
    await writeFile(file, `${pdq('a')}\n${pdq('b')},90\n${pdq('c')},1000\n`)
    const run = await footprint('hashset', 'import', file, '--set', 'CLI bad', '--format', 'pdq')
    expect(run.code).toBe(1)
    expect(run.stderr).toContain('line 3, field quality')
    expect(run.stderr).toContain('Nothing was imported.')
    expect(await t.db.selectFrom('hash_sets').select('id').where('name', '=', 'CLI bad').execute()).toEqual(
      [],
    )
  })

  it('with --partial imports the good lines and writes the bad ones to the reject file', async () => {
    const file = join(dir, 'partial.pdq')
    const rejects = join(dir, 'rejects.jsonl')
    await writeFile(file, `${pdq('a')}\nnope\n${pdq('d')},75\n`)
    const run = await footprint(
      'hashset',
      'import',
      file,
      '--set',
      'CLI partial',
      '--format',
      'pdq',
      '--category',
      'B',
      '--partial',
      '--rejects',
      rejects,
    )
    expect(run.code).toBe(0)
    expect(run.stdout).toContain('2 added')
    const lines = (await readFile(rejects, 'utf8')).trim().split('\n')
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      { line: 2, field: 'hash', error: expect.stringContaining('64 hex digits'), text: 'nope' },
    ])
    const list = await footprint('hashset', 'list')
    expect(list.stdout).toMatch(/CLI partial\tenabled.*pdq 2/)
  })

  it('checks the options before opening the database', async () => {
    const run = await footprint(
      'hashset',
      'import',
      join(dir, 'missing.pdq'),
      '--set',
      'x',
      '--format',
      'pdq',
    )
    expect(run).toMatchObject({ code: 2, stderr: expect.stringContaining('no such file') })
  })
})
