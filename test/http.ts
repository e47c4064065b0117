import type { FastifyInstance } from 'fastify'
import { buildApp } from '../src/platform/http/app.js'
import { createLogger } from '../src/platform/logger.js'
import type { TestDatabase } from './database.js'
import { TEST_PASSWORD } from './factories.js'

export async function testApp(t: TestDatabase): Promise<FastifyInstance> {
  return buildApp({
    db: t.db,
    log: createLogger('silent'),
    secureCookies: false,
    sessionHours: 1,
    cacheViews: false,
  })
}

export interface SignedInClient {
  cookie: string
  csrfToken: string
}

/** Signs in through the real form, then reads the CSRF token from a page, as a browser would. */
export async function signInAs(app: FastifyInstance, username: string): Promise<SignedInClient> {
  const form = await app.inject({ method: 'GET', url: '/sign-in' })
  const signInToken = /name="_csrf" value="([^"]+)"/.exec(form.body)?.[1] ?? ''
  const formCookie = form.cookies.find((c) => c.name === 'footprint_sign_in')!
  const response = await app.inject({
    method: 'POST',
    url: '/sign-in',
    headers: { cookie: `footprint_sign_in=${formCookie.value}` },
    payload: { username, password: TEST_PASSWORD, _csrf: signInToken },
  })
  if (response.statusCode !== 303) throw new Error(`sign-in as ${username} failed: ${response.statusCode}`)
  const set = response.cookies.find((c) => c.name === 'footprint_session')!
  const cookie = `footprint_session=${set.value}`
  const page = await app.inject({ method: 'GET', url: '/accessibility', headers: { cookie } })
  const csrfToken = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? ''
  return { cookie, csrfToken }
}
