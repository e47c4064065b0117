import { timingSafeEqual } from 'node:crypto'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import type { Actor, UserActor } from '../../access/model.js'
import { resolveApiToken, resolveSession } from '../../access/service.js'
import type { Db } from '../db.js'
import type { UserRole } from '../schema.js'

export const SESSION_COOKIE = 'footprint_session'

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/**
 * Resolves the actor for every request: a session cookie for people, a bearer token for machines
 * (API only). CSRF is checked in preValidation, after the form body is parsed: a form must carry
 * the session's token in `_csrf`; a cookie-authenticated API call must send it as x-csrf-token.
 * Bearer-token calls carry no cookie, so they cannot be forged cross-site and need none.
 */
export function setUpAuthentication(app: FastifyInstance, db: Db) {
  app.decorateRequest('actor', null)
  app.decorateRequest('session', null)
  app.addHook('onRequest', async (request) => {
    const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1]
    if (bearer && request.url.startsWith('/api/')) {
      request.actor = await resolveApiToken(db, bearer)
      return
    }
    const token = request.cookies[SESSION_COOKIE]
    if (!token) return
    const session = await resolveSession(db, token)
    if (session) {
      request.actor = session.actor
      request.session = { token, csrfToken: session.csrfToken }
    }
  })
  app.addHook('preValidation', async (request, reply) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method) || !request.session) return
    const body = request.body as Record<string, unknown> | undefined
    const sent = typeof body?._csrf === 'string' ? body._csrf : request.headers['x-csrf-token']
    if (typeof sent !== 'string' || !sameSecret(sent, request.session.csrfToken)) {
      await reply.code(403).send({
        error: 'The form has expired or was not sent from Footprint. Go back, reload the page and try again.',
      })
    }
  })
}

/** For pages: signed-in people only (optionally of some roles); others go to sign-in or get 404. */
export function requireUser(
  request: FastifyRequest,
  reply: FastifyReply,
  roles?: readonly UserRole[],
): UserActor | null {
  const actor = request.actor
  if (actor?.kind !== 'user') {
    void reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`)
    return null
  }
  if (roles && !roles.includes(actor.role)) {
    void reply.callNotFound()
    return null
  }
  return actor
}

/** For the API: any authenticated actor (user session or token), else 401. */
export function requireApiActor(request: FastifyRequest, reply: FastifyReply): Actor | null {
  if (!request.actor) {
    void reply.code(401).send({ error: 'Sign in, or send an API token as "Authorization: Bearer <token>"' })
    return null
  }
  return request.actor
}
