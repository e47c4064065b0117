import type { FastifyPluginAsync } from 'fastify'
import type { RouteDependencies } from '../platform/http/app.js'
import { requireUser } from '../platform/http/auth.js'
import { renderPage } from '../platform/http/views.js'
import { type PartnerForm, submitPartnerReferral } from './partner-intake.js'

/** Field order on the page, so the error summary lists problems in the order a person meets them. */
const FIELD_ORDER = [
  'partnerAgency',
  'reference',
  'emails',
  'phones',
  'accounts',
  'postcode',
  'summary',
  'fileHashes',
]
const FIELD_ANCHOR: Record<string, string> = { emails: 'email', phones: 'phone', accounts: 'platform' }

export function partnerRoutes(deps: RouteDependencies): FastifyPluginAsync {
  const { db } = deps
  return async (app) => {
    app.get('/partner-referrals/new', async (request, reply) => {
      const actor = requireUser(request, reply, ['national_analyst'])
      if (!actor) return reply
      return renderPage(request, reply, 'intake/views/partner-form.njk', {
        title: 'Record a partner referral',
        form: {},
        fieldErrors: {},
        errorList: [],
      })
    })

    app.post('/partner-referrals', { schema: { hide: true } }, async (request, reply) => {
      const actor = requireUser(request, reply, ['national_analyst'])
      if (!actor) return reply
      const form = (request.body ?? {}) as PartnerForm
      const { errors, outcome } = await submitPartnerReferral(db, actor, form)
      if (!outcome) {
        const errorList = FIELD_ORDER.filter((field) => errors[field]).map((field) => ({
          text: errors[field],
          href: `#${FIELD_ANCHOR[field] ?? field}`,
        }))
        return renderPage(
          request,
          reply,
          'intake/views/partner-form.njk',
          { title: 'Record a partner referral', form, fieldErrors: errors, errors: errorList, errorList },
          400,
        )
      }
      return reply.redirect(`/referrals/${outcome.referralId}?done=${outcome.status}`, 303)
    })
  }
}
