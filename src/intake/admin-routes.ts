import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { NATIONAL_ROLES } from '../access/model.js'
import type { RouteDependencies } from '../platform/http/app.js'
import { requireUser } from '../platform/http/auth.js'
import { renderPage } from '../platform/http/views.js'
import { failingJobs, rerunJob } from './jobs-admin.js'
import { downloadReferralDocument, viewReferral } from './referral-page.js'

const idParams = z.object({ id: z.string().regex(/^\d+$/) })
const documentParams = z.object({ id: z.string().regex(/^\d+$/), documentId: z.string().regex(/^\d+$/) })

/** The referral page (status and provenance), its verbatim documents, and the failed-jobs page. */
export function intakeAdminRoutes(deps: RouteDependencies): FastifyPluginAsync {
  const { db } = deps
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>()

    app.get('/referrals/:id', { schema: { params: idParams, hide: true } }, async (request, reply) => {
      const actor = requireUser(request, reply, NATIONAL_ROLES)
      if (!actor) return reply
      const page = await viewReferral(db, actor, request.params.id)
      const label = page.referral.sourceReference ?? page.referral.id
      return renderPage(request, reply, 'intake/views/referral.njk', { title: `Referral ${label}`, ...page })
    })

    app.get(
      '/referrals/:id/documents/:documentId',
      { schema: { params: documentParams, hide: true } },
      async (request, reply) => {
        const actor = requireUser(request, reply, NATIONAL_ROLES)
        if (!actor) return reply
        const document = await downloadReferralDocument(
          db,
          actor,
          request.params.id,
          request.params.documentId,
        )
        const name = (document.fileName ?? `document-${document.id}`).split(/[\\/]/).pop() ?? 'document'
        return reply
          .header('content-type', document.mediaType)
          .header('content-disposition', `attachment; filename="${name.replace(/[^\w.!-]/g, '_')}"`)
          .header('cache-control', 'no-store')
          .header('x-content-sha256', document.sha256)
          .send(document.body)
      },
    )

    app.get('/admin/jobs', async (request, reply) => {
      const actor = requireUser(request, reply, NATIONAL_ROLES)
      if (!actor) return reply
      const jobs = await failingJobs(db)
      const flash = (request.query as Record<string, string>).rerun
      return renderPage(request, reply, 'intake/views/jobs.njk', {
        title: 'Failed pipeline jobs',
        jobs,
        flash,
      })
    })

    app.post(
      '/admin/jobs/:id/rerun',
      { schema: { params: idParams, hide: true } },
      async (request, reply) => {
        const actor = requireUser(request, reply, NATIONAL_ROLES)
        if (!actor) return reply
        await rerunJob(db, actor, request.params.id)
        return reply.redirect(`/admin/jobs?rerun=${request.params.id}`, 303)
      },
    )
  }
}
