import { existsSync } from 'node:fs'
import { readdir, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { join } from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { loadReferenceData } from '../src/locating/reference-data.js'
import { connect } from '../src/platform/db.js'
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres.js'
import { createLogger } from '../src/platform/logger.js'
import { migrate } from '../src/platform/migrate.js'
import { projectRoot } from '../src/platform/paths.js'

// Per run, so runs sharing a DATABASE_URL server do not clone or drop each other's template.
const TEMPLATE = `footprint_template_${process.pid}`

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string
    templateDatabase: string
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      )
    })
  })
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

/** Folders of earlier runs whose process is gone (a run killed before its teardown). */
async function removeStaleRuns(root: string) {
  if (!existsSync(root)) return
  for (const entry of await readdir(root)) {
    if (/^\d+$/.test(entry) && !alive(Number(entry)))
      await rm(join(root, entry), { recursive: true, force: true })
  }
}

/**
 * One Postgres for the whole run — embedded under .footprint-test/ unless DATABASE_URL names one —
 * and a template database migrated once, which each test file clones.
 */
export default async function setup(project: TestProject) {
  const log = createLogger('warn')
  // Each run has its own server, folder and port, so two runs (two terminals, a helper) never meet.
  const runs = join(projectRoot, '.footprint-test')
  await removeStaleRuns(runs)
  const dataDir = join(runs, String(process.pid))
  const server = process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL, owned: false, stop: async () => undefined }
    : await startEmbeddedPostgres(dataDir, await freePort(), log)
  const admin = new pg.Client({ connectionString: withDatabase(server.url, 'postgres') })
  await admin.connect()
  // Databases left by an earlier, interrupted run.
  await admin.query(`drop database if exists ${TEMPLATE} with (force)`)
  await admin.query(`create database ${TEMPLATE}`)
  const template = connect(withDatabase(server.url, TEMPLATE), 2)
  await migrate(template.pool, log)
  await loadReferenceData(template.db)
  await template.close()
  await admin.end()
  project.provide('serverUrl', server.url)
  project.provide('templateDatabase', TEMPLATE)
  return async () => {
    const cleanup = new pg.Client({ connectionString: withDatabase(server.url, 'postgres') })
    await cleanup.connect()
    await cleanup.query(`drop database if exists ${TEMPLATE} with (force)`)
    await cleanup.end()
    await server.stop()
    if (!process.env.DATABASE_URL) await rm(dataDir, { recursive: true, force: true })
  }
}
