import { join } from 'node:path'
import pg from 'pg'
import type { TestProject } from 'vitest/node'
import { connect } from '../src/platform/db.js'
import { startEmbeddedPostgres } from '../src/platform/embedded-postgres.js'
import { createLogger } from '../src/platform/logger.js'
import { migrate } from '../src/platform/migrate.js'
import { projectRoot } from '../src/platform/paths.js'
import { loadReferenceData } from '../src/locating/reference-data.js'

export const TEMPLATE = 'footprint_template'

declare module 'vitest' {
  export interface ProvidedContext {
    serverUrl: string
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

/**
 * One Postgres for the whole run — embedded under .footprint-test/ unless DATABASE_URL names one —
 * and a template database migrated once, which each test file clones.
 */
export default async function setup(project: TestProject) {
  const log = createLogger('warn')
  const server = process.env.DATABASE_URL
    ? { url: process.env.DATABASE_URL, owned: false, stop: async () => undefined }
    : await startEmbeddedPostgres(join(projectRoot, '.footprint-test'), Number(process.env.FOOTPRINT_TEST_DB_PORT ?? 54339), log)
  const admin = new pg.Client({ connectionString: withDatabase(server.url, 'postgres') })
  await admin.connect()
  // Databases left by an earlier, interrupted run.
  const stale = await admin.query<{ datname: string }>(`select datname from pg_database where datname like 'fp_test_%' or datname = $1`, [TEMPLATE])
  for (const { datname } of stale.rows) await admin.query(`drop database if exists "${datname}" with (force)`)
  await admin.query(`create database ${TEMPLATE}`)
  const template = connect(withDatabase(server.url, TEMPLATE), 2)
  await migrate(template.pool, log)
  await loadReferenceData(template.db)
  await template.close()
  await admin.end()
  project.provide('serverUrl', server.url)
  return async () => {
    await server.stop()
  }
}
