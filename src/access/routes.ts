import type { FastifyPluginAsync, FastifyReply } from 'fastify'
import type { RouteDependencies } from '../platform/http/app.js'
import { SESSION_COOKIE } from '../platform/http/auth.js'
import { renderPage } from '../platform/http/views.js'
import { newSecret } from './secrets.js'
import { signIn, signOut } from './service.js'

const SIGN_IN_COOKIE = 'footprint_sign_in'

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

    // Sign-in has no session yet, so its form carries a double-submit token instead: a page on
    // another site cannot read our cookie, so it cannot sign a victim in to an account of its choosing.
    const signInForm = (reply: FastifyReply) => {
      const token = newSecret()
      reply.setCookie(SIGN_IN_COOKIE, token, {
        path: '/sign-in',
        httpOnly: true,
        sameSite: 'strict',
        secure: deps.secureCookies,
      })
      return token
    }

    app.get('/sign-in', async (request, reply) => {
      const next = safeNext((request.query as Record<string, unknown>).next)
      return renderPage(request, reply, 'access/views/sign-in.njk', {
        title: 'Sign in',
        next,
        signInToken: signInForm(reply),
      })
    })

    app.post('/sign-in', async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>
      const username = typeof body.username === 'string' ? body.username : ''
      const password = typeof body.password === 'string' ? body.password : ''
      const next = safeNext(body.next)
      const errors: Record<string, string> = {}
      const formToken = request.cookies[SIGN_IN_COOKIE]
      if (!formToken || typeof body._csrf !== 'string' || body._csrf !== formToken) {
        errors.username = 'The sign-in page had expired. Enter your username and password again'
      }
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
          { title: 'Sign in', errors, username, next, signInToken: signInForm(reply) },
          400,
        )
      }
      reply.clearCookie(SIGN_IN_COOKIE, { path: '/sign-in' })
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
