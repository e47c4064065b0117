import type { FastifyPluginAsync } from 'fastify'
import type { RouteDependencies } from '../platform/http/app.js'
import { SESSION_COOKIE } from '../platform/http/auth.js'
import { renderPage } from '../platform/http/views.js'
import { signIn, signOut } from './service.js'

/** Where each role starts. */
function homeFor(role: string): string {
  switch (role) {
    case 'national_analyst':
      return '/review'
    case 'national_coordinator':
      return '/figures'
    case 'force_spoc':
    case 'investigator':
      return '/inbox'
    default:
      return '/signed-in'
  }
}

/** Only same-site paths are followed after sign-in, never another host. */
function safeNext(next: unknown): string | null {
  return typeof next === 'string' && /^\/[^/\\]/.test(next) ? next : null
}

export function accessRoutes(deps: RouteDependencies): FastifyPluginAsync {
  return async (app) => {
    app.get('/', async (request, reply) => {
      const actor = request.actor
      if (actor?.kind !== 'user') return reply.redirect('/sign-in')
      return reply.redirect(homeFor(actor.role))
    })

    app.get('/sign-in', async (request, reply) => {
      const next = safeNext((request.query as Record<string, unknown>).next)
      return renderPage(request, reply, 'access/views/sign-in.njk', { title: 'Sign in', next })
    })

    app.post('/sign-in', async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>
      const username = typeof body.username === 'string' ? body.username : ''
      const password = typeof body.password === 'string' ? body.password : ''
      const next = safeNext(body.next)
      const errors: Record<string, string> = {}
      if (!username.trim()) errors.username = 'Enter your username'
      if (!password) errors.password = 'Enter your password'
      const signedIn =
        Object.keys(errors).length === 0 ? await signIn(deps.db, username, password, deps.sessionHours) : null
      if (!signedIn) {
        if (Object.keys(errors).length === 0) errors.username = 'Enter a correct username and password'
        return renderPage(
          request,
          reply,
          'access/views/sign-in.njk',
          { title: 'Sign in', errors, username, next },
          400,
        )
      }
      reply.setCookie(SESSION_COOKIE, signedIn.sessionToken, {
        path: '/',
        httpOnly: true,
        sameSite: 'lax',
        secure: deps.secureCookies,
        maxAge: deps.sessionHours * 3600,
      })
      return reply.redirect(next ?? homeFor(signedIn.actor.role), 303)
    })

    app.post('/sign-out', async (request, reply) => {
      if (request.session && request.actor) await signOut(deps.db, request.session.token, request.actor)
      reply.clearCookie(SESSION_COOKIE, { path: '/' })
      return reply.redirect('/sign-in', 303)
    })

    app.get('/signed-in', async (request, reply) => {
      if (request.actor?.kind !== 'user') return reply.redirect('/sign-in')
      return renderPage(request, reply, 'access/views/signed-in.njk', { title: 'Signed in' })
    })

    app.get('/accessibility', async (request, reply) => {
      return renderPage(request, reply, 'access/views/accessibility.njk', {
        title: 'Accessibility statement',
      })
    })
  }
}
