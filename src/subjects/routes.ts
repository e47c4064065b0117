import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { RouteDependencies } from '../platform/http/app.js'
import { requireUser } from '../platform/http/auth.js'
import { renderPage } from '../platform/http/views.js'
import { viewSubject } from './view.js'

export function subjectsRoutes(deps: RouteDependencies): FastifyPluginAsync {
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>()
    app.get(
      '/subjects/:id',
      { schema: { params: z.object({ id: z.string().regex(/^\d+$/) }), hide: true } },
      async (request, reply) => {
        const actor = requireUser(request, reply)
        if (!actor) return reply
        const view = await viewSubject(deps.db, actor, request.params.id)
        const query = request.query as Record<string, string>
        return renderPage(request, reply, 'subjects/views/subject.njk', {
          title: `Subject ${view.subject.reference}`,
          ...view,
          flash: query.done,
          addressError: query.error,
          canEnterAddress: actor.role === 'national_analyst',
          backLink: view.subject.status === 'unlocated' ? '/unresolved' : '/review',
        })
      },
    )
  }
}
