import type { Actor } from '../../access/model.js'

declare module 'fastify' {
  interface FastifyRequest {
    /** Who is asking: from the session cookie (pages and API) or a bearer token (API). */
    actor: Actor | null
    /** The signed-in session, when the actor came from a cookie. */
    session: { token: string; csrfToken: string } | null
  }
  interface FastifyReply {
    locals: Record<string, unknown>
  }
}
