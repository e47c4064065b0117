// `npm run bench -- ingest [--count 50000] [--batch 1000] [--copy-sample 20000] [--workers 2] [--concurrency 2]
//   [--worker-process 1] [--keep 1]`
// Pushes synthetic CyberTipline LE JSON referrals (3 files, 6 identifiers each) through intake and
// every downstream stage (match, resolve, locate, package) with the worker running alongside — in a
// process of its own, as `footprint worker` beside the API, or with `--worker-process 0` in the intake
// process — then COPYs the same rows into scratch tables in the same run as the baseline. Uses
// DATABASE_URL's server (a scratch database is created and dropped) or an embedded Postgres in a
// temporary folder.
import { fork } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { fileURLToPath } from 'node:url'
import pg from 'pg'
import { from as copyFrom } from 'pg-copy-streams'
import { systemActor } from '../src/access/model.js'
import { type ReadDocument, readDocuments } from '../src/intake/documents.js'
import { DEFAULT_BATCH_SIZE } from '../src/intake/service.js'
import { STORE_CONCURRENCY, storeRun } from '../src/intake/store-run.js'
import { loadReferenceData } from '../src/locating/reference-data.js'
import { connect } from '../src/platform/db.js'
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres.js'
import { createLogger } from '../src/platform/logger.js'
import { migrate } from '../src/platform/migrate.js'
import { startWorker } from '../src/platform/queue.js'
import { COPY_TABLES, copyColumns, copyRowsOf } from './ingest-copy.js'
import { timedJobs, type WorkerReport } from './ingest-worker.js'
import { nodeCpuSeconds, postgresCpuSeconds } from './process-cpu.js'

interface Options {
  count: number
  batch: number
  copySample: number
  workers: number
  /** Batch transactions in flight at once (intake's storeRun, as `footprint ingest` stores a run). */
  concurrency: number
  /** Run the pipeline worker in a child process (the deployment's shape) rather than in the intake process. */
  workerProcess: boolean
  /** With DATABASE_URL: leave the scratch database in place afterwards, to EXPLAIN the stages' statements. */
  keep: boolean
}

function parseOptions(args: string[]): Options {
  const options: Options = {
    count: 50_000,
    batch: DEFAULT_BATCH_SIZE,
    copySample: 20_000,
    workers: 2,
    concurrency: STORE_CONCURRENCY,
    workerProcess: true,
    keep: false,
  }
  for (let i = 0; i < args.length; i += 2) {
    const value = Number(args[i + 1])
    if (args[i] === '--count') options.count = value
    else if (args[i] === '--batch') options.batch = value
    else if (args[i] === '--copy-sample') options.copySample = value
    else if (args[i] === '--workers') options.workers = value
    else if (args[i] === '--concurrency') options.concurrency = value
    else if (args[i] === '--worker-process') options.workerProcess = value === 1
    else if (args[i] === '--keep') options.keep = value === 1
    else throw new Error(`unknown option ${args[i]}`)
  }
  return options
}

/** Documents parsed between two turns of the event loop when reading ahead. */
const READ_SLICE = 50

const POSTCODES = ['DT1 1AA', 'CT1 1AA', 'BS1 1AA', 'LS1 1AA', 'M1 1AA', 'B1 1AA', 'NE1 1AA', 'SW1A 1AA']

/** One synthetic report: 6 identifiers (e-mail, phone, account, screen name, two IPs) and 3 files. */
export function syntheticReport(i: number): Buffer {
  const person = Math.floor(i / 2) // pairs of reports share a person, so resolving links as well as creates
  return Buffer.from(
    JSON.stringify({
      reportId: 500_000_000 + i,
      informational: false,
      dateReceived: '2026-11-01T10:00:00Z',
      reportedInformation: {
        reportingEsp: { espName: 'Example Platform Ltd' },
        incidentSummary: {
          incidentType: 'Child Pornography (possession, manufacture, and distribution)',
          platform: 'Example Chat',
          incidentDateTime: '2026-10-31T21:04:00Z',
        },
        reportedPeople: {
          reportedPersons: [
            {
              firstName: 'Sam',
              lastName: `Example${person}`,
              espUserId: `u${person}`,
              espService: 'Example Chat',
              screenName: { value: `user_${person}` },
              emails: { emails: [{ value: `person${person}@example.org`, verified: true }] },
              phones: { phones: [{ value: `07700 ${String(900000 + (person % 100000)).padStart(6, '0')}` }] },
              addresses: {
                addresses: [{ street1: '1 Example Road', postalCode: POSTCODES[person % POSTCODES.length] }],
              },
              sourceInformation: {
                sourceCaptures: [0, 1].map((k) => ({
                  captureType: 'IP Address',
                  value: `192.0.${k + 2}.${(i % 250) + 1}`,
                  eventName: 'LOGIN',
                  dateTime: '2026-10-31T20:55:00Z',
                })),
              },
            },
          ],
        },
        uploadedFiles: {
          uploadedFiles: [0, 1, 2].map((f) => ({
            filename: `${i}-file-${f}.jpg`,
            verificationHash: (i * 3 + f).toString(16).padStart(32, '0'),
            viewedByEsp: f === 0,
          })),
        },
      },
      additionalNcmecInformation: { priority: { priorityId: '2', value: 'Priority' } },
    }),
  )
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`

export async function run(args: string[]): Promise<void> {
  const options = parseOptions(args)
  const log = createLogger('warn')
  const folder = await mkdtemp(join(tmpdir(), 'footprint-bench-'))
  const server = process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL, stop: async () => undefined }
    : await startEmbeddedPostgres(folder, await freePort(), log)
  const name = `footprint_bench_${process.pid}`
  const admin = new pg.Client({ connectionString: server.url })
  await admin.connect()
  await admin.query(`create database ${name}`)
  const url = new URL(server.url)
  url.pathname = `/${name}`
  const connection = connect(url.toString(), 8)
  // The scratch database is dropped with force at the end; a worker connection cut by that is expected.
  connection.pool.on('error', () => undefined)
  try {
    await migrate(connection.pool, log)
    await loadReferenceData(connection.db)
    const { db, pool } = connection
    // Time inside each stage, so the slowest shows itself.
    const stageMs = new Map<string, number>()
    const worker = options.workerProcess
      ? await forkWorker(url.toString(), options.workers)
      : await inProcessWorker(await startWorker(pool, timedJobs(stageMs), { db, log }, options.workers))
    const actor = systemActor('bench')
    // CPU is only counted for the embedded server, whose processes are ours to read.
    const pgDir = process.env.DATABASE_URL ? null : join(folder, 'pg')
    const pgCpuBefore = pgDir ? postgresCpuSeconds(pgDir) : null
    const nodeCpuBefore = nodeCpuSeconds()
    const started = performance.now()
    let readMs = 0
    const memory: string[] = []
    let fifth = { count: 0, at: started }
    let unfinishedFrom = '0'
    const starts: number[] = []
    for (let start = 0; start < options.count; start += options.batch) starts.push(start)
    // One batch generated and parsed, in slices that let the event loop run between them: while the
    // previous batch's statements are in Postgres, its replies are taken as they come.
    const readBatch = async (start: number) => {
      const size = Math.min(options.batch, options.count - start)
      const read: ReadDocument[] = []
      for (let from = 0; from < size; from += READ_SLICE) {
        const t0 = performance.now()
        const incoming = Array.from({ length: Math.min(READ_SLICE, size - from) }, (_, k) => ({
          fileName: `${start + from + k}.json`,
          body: syntheticReport(start + from + k),
        }))
        const slice = await readDocuments(incoming)
        if (slice.refusals.length > 0) throw slice.refusals[0]
        read.push(...slice.read)
        readMs += performance.now() - t0
        await new Promise((resolve) => setImmediate(resolve))
      }
      return { start, size, read }
    }
    let stored = 0
    // Each fifth: memory, the intake rate over that fifth, and how far the stages lag behind.
    const reportFifth = async () => {
      const now = performance.now()
      // Only from the oldest referral still in the stages at the last look: statuses only move on,
      // so none below it can be unfinished, and counting the whole table took a second at 1M.
      const { rows } = await pool.query<{ n: number; oldest: string | null; last: string | null }>(
        `select count(*)::int as n, min(id)::text as oldest, (select max(id) from referrals)::text as last
         from referrals where id >= $1 and status not in ('triaged', 'unlocated')`,
        [unfinishedFrom],
      )
      unfinishedFrom = rows[0]?.oldest ?? rows[0]?.last ?? unfinishedFrom
      memory.push(
        `${stored}: rss ${mb(process.memoryUsage().rss)} heap ${mb(process.memoryUsage().heapUsed)}, ` +
          `${((stored - fifth.count) / ((now - fifth.at) / 1000)).toFixed(0)}/s stored, ${rows[0]?.n} in the stages`,
      )
      fifth = { count: stored, at: now }
    }
    // Batches are read as intake's storeRun asks for them: the next while the ones before it are stored.
    async function* batches() {
      for (const start of starts) {
        yield (await readBatch(start)).read
        if (Math.floor(stored / (options.count / 5)) > Math.floor(fifth.count / (options.count / 5)))
          await reportFifth()
      }
    }
    await storeRun(db, actor, batches(), {
      receivedVia: 'bench',
      concurrency: options.concurrency,
      onStored: (_, batch) => {
        stored += batch.length
      },
    })
    if (fifth.count < stored) await reportFifth()
    const intakeSeconds = (performance.now() - started) / 1000
    for (;;) {
      const { rows } = await pool.query<{ n: number }>('select count(*)::int as n from graphile_worker.jobs')
      if (rows[0]?.n === 0) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    const totalSeconds = (performance.now() - started) / 1000
    const pgCpuAfter = pgDir ? postgresCpuSeconds(pgDir) : null
    const pgCpu = pgCpuBefore !== null && pgCpuAfter !== null ? pgCpuAfter - pgCpuBefore : null
    const load = loadavg()[0]!.toFixed(2)
    const report = await worker.stop()
    for (const [stage, ms] of report.stageMs) stageMs.set(stage, ms)
    const nodeCpu = nodeCpuSeconds() - nodeCpuBefore + report.cpuSeconds
    const { rows: done } = await pool.query<{ n: number; packages: number }>(
      `select count(*) filter (where status in ('triaged', 'unlocated'))::int as n,
        (select count(*)::int from packages) as packages from referrals`,
    )

    const sample = Math.min(options.copySample, options.count)
    const copy = await copyBaseline(pool, sample)
    const rate = options.count / totalSeconds
    console.log(
      `ingest bench: ${options.count} referrals, batches of ${options.batch} (${options.concurrency} ${options.concurrency === 1 ? 'transaction' : 'transactions'} in flight), ` +
        `${options.workers} workers ${options.workerProcess ? 'in a worker process' : 'in the intake process'}`,
    )
    console.log(`  intake only (read + store): ${(options.count / intakeSeconds).toFixed(0)} referrals/s`)
    console.log(`    read/parse ${(readMs / 1000).toFixed(1)} s, overlapping the store`)
    console.log(
      `  end to end (through packages): ${rate.toFixed(0)} referrals/s in ${totalSeconds.toFixed(1)} s`,
    )
    console.log(`    ${done[0]?.n} referrals finished, ${done[0]?.packages} packages`)
    if (pgCpu !== null) {
      const perReferral = ((nodeCpu + pgCpu) * 1000) / options.count
      console.log(
        `  CPU: Node ${nodeCpu.toFixed(1)} s + Postgres ${pgCpu.toFixed(1)} s = ${perReferral.toFixed(3)} ms per referral` +
          ` (${(2000 / perReferral).toFixed(0)} referrals/s if 2 cores did nothing else; load average ${load})`,
      )
      // Which Node process: intake (reading and storing) or the stages' worker.
      if (options.workerProcess)
        console.log(
          `    Node: intake ${(nodeCpu - report.cpuSeconds).toFixed(1)} s, worker ${report.cpuSeconds.toFixed(1)} s`,
        )
    }
    for (const [stage, ms] of stageMs) console.log(`    ${stage}: ${(ms / 1000).toFixed(1)} s in jobs`)
    console.log(
      `  COPY baseline (${sample} referrals' rows into scratch tables): ${copy.toFixed(0)} referrals/s`,
    )
    console.log(`  ratio end-to-end / COPY: ${(rate / copy).toFixed(2)}`)
    console.log(`  each fifth:\n    ${memory.join('\n    ')}`)
  } finally {
    await connection.close()
    if (options.keep && process.env.DATABASE_URL) console.log(`  kept database ${name}`)
    else await admin.query(`drop database if exists ${name} with (force)`)
    await admin.end()
    await server.stop()
    await rm(folder, { recursive: true, force: true })
  }
}

interface BenchWorker {
  stop(): Promise<WorkerReport>
}

async function inProcessWorker(runner: { stop(): Promise<void> }): Promise<BenchWorker> {
  return {
    async stop() {
      await runner.stop()
      return { stageMs: [], cpuSeconds: 0 }
    },
  }
}

/** `bench/ingest-worker.ts` in a child process, started and ready to take jobs. */
async function forkWorker(url: string, workers: number): Promise<BenchWorker> {
  const child = fork(join(dirname(fileURLToPath(import.meta.url)), 'ingest-worker.js'), [
    url,
    String(workers),
  ])
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`bench worker process exited with ${code}`))),
  )
  exited.catch(() => undefined)
  const message = () =>
    Promise.race([new Promise<WorkerReport>((resolve) => child.once('message', resolve)), exited])
  // Its start-up (loading the code, building the matcher's index) is not counted, as in one process.
  const ready = await message()
  return {
    async stop() {
      const report = message()
      child.send('stop')
      const { stageMs, cpuSeconds } = await report
      return { stageMs, cpuSeconds: cpuSeconds - ready.cpuSeconds }
    },
  }
}

/** COPY of the rows intake writes for `count` referrals (documents, referrals, contents) into scratch tables. */
async function copyBaseline(pool: pg.Pool, count: number): Promise<number> {
  const client = await pool.connect()
  try {
    for (const table of COPY_TABLES)
      await client.query(
        `create table bench_copy_${table} (like ${table} including defaults including identity including indexes)`,
      )
    const { read } = await readDocuments(
      Array.from({ length: count }, (_, i) => ({ fileName: `${i}.json`, body: syntheticReport(i) })),
    )
    const text = copyRowsOf(read)
    const start = performance.now()
    for (const table of COPY_TABLES) {
      await pipeline(
        Readable.from([text[table]]),
        client.query(copyFrom(`copy bench_copy_${table} (${copyColumns(table)}) from stdin`)),
      )
    }
    return count / ((performance.now() - start) / 1000)
  } finally {
    client.release()
  }
}
