import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { ValidationError } from '../platform/errors.js'
import type { RouteDependencies } from '../platform/http/app.js'
import { requireApiActor, requireUser } from '../platform/http/auth.js'
import { renderPage } from '../platform/http/views.js'
import { BAND_CLOCK_DAYS } from '../triage/rules.js'
import { approveBody, packageDetailSchema, packageIdParams, packageSummarySchema } from './contracts.js'
import { renderPackagePage } from './page.js'
import { listPackages } from './repo.js'
import { acknowledgePackage, approvePackage, forceInbox, reviewQueue, viewPackage } from './service.js'

export function packagesRoutes(deps: RouteDependencies): FastifyPluginAsync {
  const { db } = deps
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>()

    app.get('/review', async (request, reply) => {
      const actor = requireUser(request, reply, ['national_analyst', 'national_coordinator'])
      if (!actor) return reply
      const packages = await reviewQueue(db, actor)
      const flash = (request.query as Record<string, string>).done
      return renderPage(request, reply, 'packages/views/review-queue.njk', {
        title: 'Packages awaiting review',
        packages,
        flash,
      })
    })

    app.get('/inbox', async (request, reply) => {
      const actor = requireUser(request, reply, ['force_spoc', 'investigator'])
      if (!actor) return reply
      const packages = await forceInbox(db, actor)
      const flash = (request.query as Record<string, string>).done
      return renderPage(request, reply, 'packages/views/inbox.njk', {
        title: 'Force inbox',
        packages,
        flash,
        clocks: BAND_CLOCK_DAYS,
      })
    })

    app.get('/packages/:id', { schema: { params: packageIdParams, hide: true } }, async (request, reply) => {
      const actor = requireUser(request, reply)
      if (!actor) return reply
      const flash = (request.query as Record<string, string>).done
      return renderPackagePage(db, request, reply, actor, request.params.id, { flash })
    })

    app.post(
      '/packages/:id/approve',
      { schema: { params: packageIdParams, hide: true } },
      async (request, reply) => {
        const actor = requireUser(request, reply)
        if (!actor) return reply
        const body = (request.body ?? {}) as Record<string, string>
        try {
          const approved = await approvePackage(db, actor, request.params.id, {
            band: body.band ?? '',
            reason: body.reason ?? null,
          })
          return reply.redirect(
            `/review?done=${encodeURIComponent(`${approved.reference} approved and sent to ${approved.forceName}`)}`,
            303,
          )
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          return renderPackagePage(
            db,
            request,
            reply,
            actor,
            request.params.id,
            { errors: error.fields, form: body },
            400,
          )
        }
      },
    )

    app.post(
      '/packages/:id/acknowledge',
      { schema: { params: packageIdParams, hide: true } },
      async (request, reply) => {
        const actor = requireUser(request, reply)
        if (!actor) return reply
        await acknowledgePackage(db, actor, request.params.id)
        return reply.redirect(`/packages/${request.params.id}?done=acknowledged`, 303)
      },
    )

    app.get(
      '/api/packages',
      {
        schema: {
          description:
            "Packages the caller may see: all for the national bureau, a force's own for force users.",
          querystring: z.object({
            status: z.enum(['awaiting_review', 'disseminated', 'acknowledged', 'closed']).optional(),
          }),
          response: { 200: z.object({ packages: z.array(packageSummarySchema) }) },
        },
      },
      async (request, reply) => {
        const actor = requireApiActor(request, reply)
        if (!actor) return reply
        const statuses = request.query.status
          ? [request.query.status]
          : (['awaiting_review', 'disseminated', 'acknowledged'] as const)
        return { packages: await listPackages(db, actor, { statuses: [...statuses] }) }
      },
    )

    app.get(
      '/api/packages/:id',
      { schema: { params: packageIdParams, response: { 200: packageDetailSchema } } },
      async (request, reply) => {
        const actor = requireApiActor(request, reply)
        if (!actor) return reply
        const { package: found, contents } = await viewPackage(db, actor, request.params.id)
        return {
          ...found,
          matchesByCategory: contents.matchesByCategory,
          identifiers: contents.identifiers,
          deconfliction: contents.deconfliction,
          outcomes: contents.outcomes,
        }
      },
    )

    app.post(
      '/api/packages/:id/approve',
      { schema: { params: packageIdParams, body: approveBody, response: { 200: packageSummarySchema } } },
      async (request, reply) => {
        const actor = requireApiActor(request, reply)
        if (!actor) return reply
        return approvePackage(db, actor, request.params.id, {
          band: request.body.band,
          reason: request.body.reason ?? null,
        })
      },
    )
  }
}
