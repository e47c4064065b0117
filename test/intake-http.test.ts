import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../src/access/model.js'
import { createApiToken } from '../src/access/service.js'
import { projectRoot } from '../src/platform/paths.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { leReport, makeUser } from './factories.js'
import { type SignedInClient, signInAs, testApp } from './http.js'

const fixtures = join(projectRoot, 'test/fixtures/cybertipline')
let t: TestDatabase
let app: FastifyInstance
let token: string
let analyst: SignedInClient
let spoc: SignedInClient

beforeAll(async () => {
  t = await createTestDatabase()
  app = await testApp(t)
  await makeUser(t.db, 'analyst', 'national_analyst')
  await makeUser(t.db, 'dorset.spoc', 'force_spoc', 'dorset')
  token = await createApiToken(t.db, systemActor('tests'), 'intake-feed')
  analyst = await signInAs(app, 'analyst')
  spoc = await signInAs(app, 'dorset.spoc')
})
afterAll(async () => {
  await app.close()
  await t.drop()
})

function post(body: Buffer | string, contentType: string, headers: Record<string, string> = {}) {
  return app.inject({
    method: 'POST',
    url: '/api/referrals',
    headers: { authorization: `Bearer ${token}`, 'content-type': contentType, ...headers },
    payload: body,
  })
}

async function auditCount(action: string, recordId: string) {
  const rows = await t.db
    .selectFrom('audit_events')
    .select('id')
    .where('action', '=', action)
    .where('record_id', '=', recordId)
    .execute()
  return rows.length
}

describe('POST /api/referrals', () => {
  it('imports every valid XML <report> example, and attaches a <fileDetails> to the one given a reportId', async () => {
    for (const name of readdirSync(fixtures).filter((f) => /^report-.*\.xml$/.test(f))) {
      const response = await post(readFileSync(join(fixtures, name)), 'application/xml', {
        'x-file-name': name,
        ...(name === 'report-minimal.xml' ? { 'x-report-id': '4564654' } : {}),
      })
      expect(response.statusCode, `${name}: ${response.body}`).toBe(201)
    }
    const details = await post(readFileSync(join(fixtures, 'filedetails-minimal.xml')), 'application/xml')
    expect(details.statusCode).toBe(201)
    expect(details.json().referrals[0]).toMatchObject({ status: 'attached', sourceReference: '4564654' })
  })

  it('refuses the INVALID example and a <fileDetails> for a missing report with 422, naming why', async () => {
    const invalid = await post(
      readFileSync(join(fixtures, 'INVALID-report-only-required-fields.xml')),
      'application/xml',
      { 'x-file-name': 'INVALID.xml' },
    )
    expect(invalid.statusCode).toBe(422)
    expect(invalid.json().refusals[0]).toMatchObject({
      file: 'INVALID.xml',
      reason: expect.stringMatching(/XSD/),
    })
    const orphan = await post(readFileSync(join(fixtures, 'filedetails-technical-metadata.xml')), 'text/xml')
    expect(orphan.statusCode).toBe(422)
    expect(orphan.json().refusals[0].reason).toContain('no CyberTipline report 123456')
  })
})

describe('the referral page', () => {
  it('shows status, sha256 and provenance to national users, audited; a force user gets 404', async () => {
    const response = await post(
      JSON.stringify(leReport({ email: 'page@example.org', postcode: 'DT1 1AA' })),
      'application/json',
    )
    const id = response.json().referrals[0].referralId as string
    await t.drain()
    const page = await app.inject({
      method: 'GET',
      url: `/referrals/${id}`,
      headers: { cookie: analyst.cookie },
    })
    expect(page.statusCode).toBe(200)
    const document = await t.db
      .selectFrom('referrals')
      .innerJoin('referral_documents as d', 'd.id', 'referrals.document_id')
      .select(['d.id', 'd.sha256', 'd.body'])
      .where('referrals.id', '=', id)
      .executeTakeFirstOrThrow()
    expect(page.body).toContain(document.sha256)
    expect(page.body).toContain('Triaged')
    expect(page.body).toContain('/reportedInformation/reportedPeople/reportedPersons/0/emails/emails/0')
    expect(await auditCount('referral.viewed', id)).toBe(1)
    const forbidden = await app.inject({
      method: 'GET',
      url: `/referrals/${id}`,
      headers: { cookie: spoc.cookie, accept: 'text/html' },
    })
    expect(forbidden.statusCode).toBe(404)
    expect(forbidden.body).not.toContain('page@example.org')

    const download = await app.inject({
      method: 'GET',
      url: `/referrals/${id}/documents/${document.id}`,
      headers: { cookie: analyst.cookie },
    })
    expect(download.statusCode).toBe(200)
    expect(Buffer.compare(download.rawPayload, document.body)).toBe(0)
    expect(download.headers['content-disposition']).toMatch(/^attachment/)
    expect(await auditCount('referral.document-downloaded', id)).toBe(1)
    const other = await app.inject({
      method: 'GET',
      url: `/referrals/${id}/documents/999999`,
      headers: { cookie: analyst.cookie },
    })
    expect(other.statusCode).toBe(404)
  })
})

describe('partner referral form', () => {
  it('lists every problem in an error summary and stores nothing', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/partner-referrals',
      headers: { cookie: analyst.cookie },
      payload: { _csrf: analyst.csrfToken, partnerAgency: '', email: 'not-an-email', postcode: 'XX' },
    })
    expect(response.statusCode).toBe(400)
    expect(response.body).toMatch(/<title>Error: /)
    expect(response.body).toContain('govuk-error-summary')
    expect(response.body).toContain('href="#partnerAgency"')
    expect(response.body).toContain('href="#email"')
    expect(response.body).toContain('href="#summary"')
    expect(response.body).toContain('value="not-an-email"')
    const partner = await t.db.selectFrom('referrals').select('id').where('source', '=', 'partner').execute()
    expect(partner).toEqual([])
  })

  it('records a valid referral, which goes through the pipeline; the same again is a duplicate', async () => {
    const form = {
      _csrf: analyst.csrfToken,
      partnerAgency: 'Example Partner Agency',
      reference: 'FORM-1',
      email: 'form.suspect@example.org',
      platform: 'Example Chat',
      account: 'form_suspect',
      postcode: 'DT1 1AA',
      summary: 'Synthetic summary.',
      fileHashes: '93c3b04d2cbd088c8fe84931ed5952ea',
    }
    const response = await app.inject({
      method: 'POST',
      url: '/partner-referrals',
      headers: { cookie: analyst.cookie },
      payload: form,
    })
    expect(response.statusCode).toBe(303)
    const id = /\/referrals\/(\d+)/.exec(response.headers.location ?? '')?.[1]
    expect(id).toBeTruthy()
    await t.drain()
    const row = await t.db
      .selectFrom('referrals')
      .select(['status', 'source'])
      .where('id', '=', id!)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({ status: 'triaged', source: 'partner' })
    const again = await app.inject({
      method: 'POST',
      url: '/partner-referrals',
      headers: { cookie: analyst.cookie },
      payload: form,
    })
    expect(again.headers.location).toBe(`/referrals/${id}?done=duplicate`)
    const forbidden = await app.inject({
      method: 'GET',
      url: '/partner-referrals/new',
      headers: { cookie: spoc.cookie, accept: 'text/html' },
    })
    expect(forbidden.statusCode).toBe(404)
  })
})

describe('failed jobs', () => {
  it('parks a job that keeps failing with its error, and a national user runs it again (audited)', async () => {
    await sql`select graphile_worker.add_job('subjects.resolve-referrals', '{"referralIds":["not a number"]}'::json, max_attempts => 1)`.execute(
      t.db,
    )
    await t.drain()
    const page = await app.inject({ method: 'GET', url: '/admin/jobs', headers: { cookie: analyst.cookie } })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('subjects.resolve-referrals')
    expect(page.body).toContain('Parked (1 of 1 attempts)')
    const jobId = /\/admin\/jobs\/(\d+)\/rerun/.exec(page.body)?.[1]
    expect(jobId).toBeTruthy()
    const rerun = await app.inject({
      method: 'POST',
      url: `/admin/jobs/${jobId}/rerun`,
      headers: { cookie: analyst.cookie },
      payload: { _csrf: analyst.csrfToken },
    })
    expect(rerun.statusCode).toBe(303)
    const job = await sql<{
      attempts: number
    }>`select attempts from graphile_worker.jobs where id = ${jobId}::bigint`.execute(t.db)
    expect(job.rows[0]?.attempts).toBe(0)
    expect(await auditCount('job.rerun', jobId!)).toBe(1)
    const asSpoc = await app.inject({
      method: 'GET',
      url: '/admin/jobs',
      headers: { cookie: spoc.cookie, accept: 'text/html' },
    })
    expect(asSpoc.statusCode).toBe(404)
  })
})
