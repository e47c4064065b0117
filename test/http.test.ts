import type { FastifyInstance } from 'fastify'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { systemActor } from '../src/access/model.js'
import { createApiToken } from '../src/access/service.js'
import { approvePackage } from '../src/packages/service.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { leReport, makeUser } from './factories.js'
import { type SignedInClient, signInAs, testApp } from './http.js'

let t: TestDatabase
let app: FastifyInstance
let token: string
let dorsetPackageId: string
let kent: SignedInClient
let dorset: SignedInClient

beforeAll(async () => {
  t = await createTestDatabase()
  app = await testApp(t)
  const analyst = await makeUser(t.db, 'analyst', 'national_analyst')
  await makeUser(t.db, 'dorset.spoc', 'force_spoc', 'dorset')
  await makeUser(t.db, 'kent.spoc', 'force_spoc', 'kent')
  token = await createApiToken(t.db, systemActor('tests'), 'test-feed')
  const response = await app.inject({
    method: 'POST',
    url: '/api/referrals',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    payload: JSON.stringify(leReport({ email: 'http@example.org', postcode: 'DT1 1AA' })),
  })
  expect(response.statusCode).toBe(201)
  await t.drain()
  const pkg = await t.db
    .selectFrom('packages')
    .select('id')
    .where('force_id', '=', 'dorset')
    .executeTakeFirstOrThrow()
  dorsetPackageId = pkg.id
  await approvePackage(t.db, analyst, pkg.id, { band: 'low', reason: 'Test: no indicators' })
  kent = await signInAs(app, 'kent.spoc')
  dorset = await signInAs(app, 'dorset.spoc')
})
afterAll(async () => {
  await app.close()
  await t.drop()
})

describe('need to know', () => {
  it('gives a Kent SPOC 404 for a Dorset package, by page and by API, and Dorset 200', async () => {
    for (const url of [`/packages/${dorsetPackageId}`, `/api/packages/${dorsetPackageId}`]) {
      const asKent = await app.inject({
        method: 'GET',
        url,
        headers: { cookie: kent.cookie, accept: 'text/html' },
      })
      expect(asKent.statusCode, url).toBe(404)
      expect(asKent.body).not.toContain('http@example.org')
      const asDorset = await app.inject({ method: 'GET', url, headers: { cookie: dorset.cookie } })
      expect(asDorset.statusCode, url).toBe(200)
      expect(asDorset.body).toContain('http@example.org')
    }
  })

  it('lists only the caller force packages in the API', async () => {
    const list = await app.inject({ method: 'GET', url: '/api/packages', headers: { cookie: kent.cookie } })
    expect(list.json().packages).toEqual([])
  })

  it('refuses an intake token access to case content', async () => {
    const response = await app.inject({
      method: 'GET',
      url: `/api/packages/${dorsetPackageId}`,
      headers: { authorization: `Bearer ${token}` },
    })
    expect(response.statusCode).toBe(404)
  })

  it('sends people who are not signed in to sign in, and API callers a 401', async () => {
    expect((await app.inject({ method: 'GET', url: '/inbox' })).headers.location).toMatch(/^\/sign-in/)
    expect((await app.inject({ method: 'GET', url: '/api/packages' })).statusCode).toBe(401)
  })
})

describe('forms', () => {
  it('refuses a form post without the session CSRF token', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/packages/${dorsetPackageId}/acknowledge`,
      headers: { cookie: dorset.cookie },
      payload: { _csrf: 'forged' },
    })
    expect(response.statusCode).toBe(403)
    const pkg = await t.db
      .selectFrom('packages')
      .select('status')
      .where('id', '=', dorsetPackageId)
      .executeTakeFirstOrThrow()
    expect(pkg.status).toBe('disseminated')
  })

  it('shows field errors for an outcome without a date, and stores nothing', async () => {
    const response = await app.inject({
      method: 'POST',
      url: `/packages/${dorsetPackageId}/outcomes`,
      headers: { cookie: dorset.cookie, accept: 'text/html' },
      payload: { _csrf: dorset.csrfToken, kind: 'arrest' },
    })
    expect(response.statusCode).toBe(400)
    expect(response.body).toContain('Enter the date it happened')
    expect(response.body).toMatch(/<title>Error: /)
    const outcomes = await t.db.selectFrom('outcomes').select('id').execute()
    expect(outcomes).toEqual([])
  })
})

describe('intake API', () => {
  it('refuses a report without reportId with the field named, and stores nothing', async () => {
    const report = leReport({ email: 'bad@example.org' })
    delete report.reportId
    const before = await t.db.selectFrom('referrals').select('id').execute()
    const response = await app.inject({
      method: 'POST',
      url: '/api/referrals',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'x-file-name': 'bad.json',
      },
      payload: JSON.stringify(report),
    })
    expect(response.statusCode).toBe(422)
    expect(JSON.stringify(response.json())).toContain('reportId')
    expect(JSON.stringify(response.json())).toContain('bad.json')
    expect(await t.db.selectFrom('referrals').select('id').execute()).toHaveLength(before.length)
  })

  it('refuses referrals without a token', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/referrals',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    })
    expect(response.statusCode).toBe(401)
  })
})

describe('platform', () => {
  it('reports health with the database status', async () => {
    const response = await app.inject({ method: 'GET', url: '/health' })
    expect(response.statusCode).toBe(200)
    expect(response.json()).toMatchObject({ status: 'ok', database: { status: 'ok' } })
  })

  it('serves Prometheus metrics', async () => {
    const response = await app.inject({ method: 'GET', url: '/metrics' })
    expect(response.body).toContain('footprint_http_request_duration_seconds')
  })

  it('describes the API in OpenAPI', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/openapi.json' })
    expect(Object.keys(response.json().paths)).toEqual(
      expect.arrayContaining(['/api/referrals', '/api/packages/{id}']),
    )
  })
})

describe('sign-in', () => {
  it('refuses a sign-in posted without the form token (login CSRF), and a wrong password, alike', async () => {
    const forged = await app.inject({
      method: 'POST',
      url: '/sign-in',
      payload: { username: 'kent.spoc', password: 'correct horse battery staple' },
    })
    expect(forged.statusCode).toBe(400)
    expect(forged.cookies.find((c) => c.name === 'footprint_session')).toBeUndefined()

    const form = await app.inject({ method: 'GET', url: '/sign-in' })
    const token = /name="_csrf" value="([^"]+)"/.exec(form.body)![1]
    const cookie = `footprint_sign_in=${form.cookies.find((c) => c.name === 'footprint_sign_in')!.value}`
    const wrong = await app.inject({
      method: 'POST',
      url: '/sign-in',
      headers: { cookie },
      payload: { username: 'kent.spoc', password: 'not the password', _csrf: token },
    })
    expect(wrong.statusCode).toBe(400)
    expect(wrong.body).toContain('Enter a correct username and password')
    const failures = await t.db
      .selectFrom('audit_events')
      .select('id')
      .where('action', '=', 'session.sign-in-failed')
      .execute()
    expect(failures.length).toBeGreaterThanOrEqual(1)
  })

  it('ends the session on sign-out', async () => {
    const client = await signInAs(app, 'kent.spoc')
    const out = await app.inject({
      method: 'POST',
      url: '/sign-out',
      headers: { cookie: client.cookie },
      payload: { _csrf: client.csrfToken },
    })
    expect(out.statusCode).toBe(303)
    const after = await app.inject({ method: 'GET', url: '/inbox', headers: { cookie: client.cookie } })
    expect(after.headers.location).toMatch(/^\/sign-in/)
  })
})
