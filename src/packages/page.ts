import type { FastifyReply, FastifyRequest } from 'fastify'
import type { UserActor } from '../access/model.js'
import { OUTCOME_KINDS } from '../outcomes/model.js'
import type { Db } from '../platform/db.js'
import { renderPage } from '../platform/http/views.js'
import { BAND_CLOCK_DAYS } from '../triage/rules.js'
import { canAcknowledge, canActForForce, canReview } from './policy.js'
import { viewPackage } from './service.js'

/**
 * The package page, shown after a GET and again (with errors and the person's input) after a
 * refused form: the actions offered depend on who is looking and the package's state.
 */
export async function renderPackagePage(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  actor: UserActor,
  packageId: string,
  extra: { flash?: string; errors?: Record<string, string>; form?: Record<string, string | undefined> } = {},
  status = 200,
) {
  const view = await viewPackage(db, actor, packageId)
  const p = view.package
  return renderPage(
    request,
    reply,
    'packages/views/package.njk',
    {
      title: `Package ${p.reference}`,
      ...view,
      ...extra,
      canReview: canReview(actor) && p.status === 'awaiting_review',
      canAcknowledge: canAcknowledge(actor, p.forceId) && p.status === 'disseminated',
      canRecord: canActForForce(actor, p.forceId),
      outcomeKinds: OUTCOME_KINDS,
      clocks: BAND_CLOCK_DAYS,
      backLink: actor.forceId ? '/inbox' : '/review',
    },
    status,
  )
}
