// `node dist/bench/hash-import.js [--sizes 1000000] [--formats pdq,vics]`: writes synthetic hash lists
// of each size, imports each into a fresh set (embedded Postgres in a temporary folder unless
// DATABASE_URL is set) and prints time and peak memory. Run after `npm run build`.

import { once } from 'node:events'
import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { systemActor } from '../src/access/model.js'
import { importHashList } from '../src/matching/import.js'
import { connect } from '../src/platform/db.js'
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres.js'
import { createLogger } from '../src/platform/logger.js'
import { migrate } from '../src/platform/migrate.js'
import { projectRoot } from '../src/platform/paths.js'
import type { HashListFormat } from '../src/platform/schema.js'
import { makeRandom } from './xorshift.js'

function hex(random: () => number, digits: number): string {
  let out = ''
  while (out.length < digits) out += random().toString(16).padStart(8, '0')
  return out.slice(0, digits)
}

async function writeList(path: string, format: 'pdq' | 'vics', size: number, seed: number): Promise<void> {
  const random = makeRandom(seed)
  const out = createWriteStream(path)
  const put = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain')
  }
  if (format === 'vics')
    await put(
      '{"@odata.context":"http://github.com/VICSDATAMODEL/ProjectVic/DataModels/2.0.xml/UK/$metadata#Media","value":[',
    )
  for (let i = 0; i < size; i++) {
    if (format === 'pdq') await put(`${hex(random, 64)},${50 + (random() % 51)}\n`)
    else
      await put(
        `${i === 0 ? '' : ','}\n{"MediaID":${i + 1},"MD5":"${hex(random, 32).toUpperCase()}","Series":"S${i % 97}"}`,
      )
  }
  if (format === 'vics') await put('\n]}\n')
  out.end()
  await once(out, 'finish')
}

export async function run(args: string[]): Promise<void> {
  let sizes = [1_000_000]
  let formats: ('pdq' | 'vics')[] = ['pdq', 'vics']
  for (let i = 0; i < args.length; i += 2) {
    if (args[i] === '--sizes') sizes = (args[i + 1] ?? '').split(',').map(Number)
    else if (args[i] === '--formats') formats = (args[i + 1] ?? '').split(',') as ('pdq' | 'vics')[]
    else throw new Error(`unknown option ${args[i]}`)
  }
  const log = createLogger('warn')
  const dir = await mkdtemp(join(tmpdir(), 'footprint-bench-import-'))
  // Under the project, like the test server: Postgres, run as its own user, cannot enter a 0700 temp folder.
  const pgDir = join(projectRoot, '.footprint-bench', String(process.pid))
  const database = process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL, stop: async () => undefined }
    : await startEmbeddedPostgres(pgDir, 54_000 + (process.pid % 1000), log)
  const connection = connect(database.url, 4)
  // Stopping the server ends idle connections; that is expected here, not a crash.
  connection.pool.on('error', () => undefined)
  try {
    await migrate(connection.pool, log)
    for (const size of sizes) {
      for (const format of formats) {
        const path = join(dir, `list-${size}.${format}`)
        await writeList(path, format, size, size + format.length)
        const rssBefore = process.memoryUsage().rss
        let peak = rssBefore
        const sampler = setInterval(() => {
          peak = Math.max(peak, process.memoryUsage().rss)
        }, 100)
        const started = performance.now()
        const summary = await importHashList(connection.pool, systemActor('bench'), {
          path,
          format: format as HashListFormat,
          set: { name: `bench ${format} ${size} ${Date.now()}`, source: 'bench' },
        })
        const seconds = (performance.now() - started) / 1000
        clearInterval(sampler)
        console.log(
          JSON.stringify({
            format,
            size,
            added: summary.added,
            seconds: Number(seconds.toFixed(1)),
            entriesPerSecond: Math.round(size / seconds),
            rssBeforeMb: Math.round(rssBefore / 2 ** 20),
            rssPeakMb: Math.round(peak / 2 ** 20),
          }),
        )
        await rm(path)
      }
    }
  } finally {
    await connection.close()
    await database.stop()
    await rm(dir, { recursive: true, force: true })
    await rm(pgDir, { recursive: true, force: true })
  }
}

if (process.argv[1]?.endsWith('hash-import.js')) await run(process.argv.slice(2))
