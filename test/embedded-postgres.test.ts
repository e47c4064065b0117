import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres.js'
import { createLogger } from '../src/platform/logger.js'

const log = createLogger('silent')
const dirs: string[] = []
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true })
})

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function query(url: string, sql: string) {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return (await client.query(sql)).rows
  } finally {
    await client.end()
  }
}

describe(startEmbeddedPostgres.name, () => {
  it('keeps the data across a stop and a second start, and lets a second process join a running server', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'footprint-pg-'))
    dirs.push(dir)
    const port = await freePort()
    const first = await startEmbeddedPostgres(dir, port, log)
    expect(first.owned).toBe(true)
    await query(first.url, 'create table kept (n int); insert into kept values (42)')

    const joined = await startEmbeddedPostgres(dir, port, log)
    expect(joined.owned).toBe(false)
    await joined.stop()
    expect(await query(first.url, 'select n from kept')).toEqual([{ n: 42 }])

    await first.stop()
    await expect(query(first.url, 'select 1')).rejects.toThrow()

    const second = await startEmbeddedPostgres(dir, port, log)
    expect(second.owned).toBe(true)
    expect(await query(second.url, 'select n from kept')).toEqual([{ n: 42 }])
    await second.stop()
  })
})
