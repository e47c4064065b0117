import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { recordAudit } from '../audit/service.js'
import { ValidationError } from '../platform/errors.js'
import type { RouteDependencies } from '../platform/http/app.js'
import { requireUser } from '../platform/http/auth.js'
import { renderPage } from '../platform/http/views.js'
import { unlocatedSubjects } from './queue.js'
import { enterSubjectAddress } from './service.js'

const subjectParams = z.object({ id: z.string().regex(/^\d+$/) })

export function locatingRoutes(deps: RouteDependencies): FastifyPluginAsync {
  const { db } = deps
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>()

    app.get('/unresolved', async (request, reply) => {
      const actor = requireUser(request, reply, ['national_analyst', 'national_coordinator'])
      if (!actor) return reply
      const subjects = await db.transaction().execute(async (tx) => {
        const rows = await unlocatedSubjects(tx)
        await recordAudit(tx, actor, {
          action: 'subject.queue-viewed',
          recordType: 'subject',
          recordId: null,
          details: { subjects: rows.length },
        })
        return rows
      })
      const flash = (request.query as Record<string, string>).done
      return renderPage(request, reply, 'locating/views/unresolved.njk', {
        title: 'Unresolved subjects',
        subjects,
        flash,
      })
    })

    app.post(
      '/subjects/:id/address',
      { schema: { params: subjectParams, hide: true } },
      async (request, reply) => {
        const actor = requireUser(request, reply, ['national_analyst'])
        if (!actor) return reply
        const form = (request.body ?? {}) as Record<string, string>
        try {
          await enterSubjectAddress(db, actor, request.params.id, {
            street: form.street?.trim() || null,
            city: form.city?.trim() || null,
            postcode: form.postcode ?? '',
          })
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          return reply.redirect(
            `/subjects/${request.params.id}?error=${encodeURIComponent(error.fields.postcode ?? error.message)}#address`,
            303,
          )
        }
        return reply.redirect(`/subjects/${request.params.id}?done=address`, 303)
      },
    )
  }
}
