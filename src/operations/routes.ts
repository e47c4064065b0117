import type { FastifyPluginAsync } from 'fastify'
import type { RouteDependencies } from '../platform/http/app.js'
import { requireUser } from '../platform/http/auth.js'
import { renderPage } from '../platform/http/views.js'
import { barChart } from './chart.js'
import { nationalFigures } from './figures.js'
import { forcePressLine, HELP_SIGNPOST, nationalPressLine } from './press-line.js'
import { findOperationByCode, listOperations } from './repo.js'

export function operationsRoutes(deps: RouteDependencies): FastifyPluginAsync {
  const { db } = deps
  return async (app) => {
    app.get('/figures', async (request, reply) => {
      const actor = requireUser(request, reply, [
        'national_analyst',
        'national_coordinator',
        'force_spoc',
        'investigator',
      ])
      if (!actor) return reply
      const code = (request.query as Record<string, string>).operation
      const operations = await listOperations(db)
      const operation = code ? await findOperationByCode(db, code) : undefined
      if (code && !operation) return reply.callNotFound()
      const figures = await nationalFigures(db, { operationId: operation?.id ?? null })
      const active = figures.byForce.filter((f) => f.packagesSent > 0 || f.peopleArrested > 0)
      const ownForce = actor.forceId ? figures.byForce.find((f) => f.forceId === actor.forceId) : undefined
      const chartForces = [...figures.byForce]
        .filter((f) => f.peopleArrested > 0 || f.childrenSafeguarded > 0)
        .sort((a, b) => b.peopleArrested - a.peopleArrested || a.forceName.localeCompare(b.forceName))
        .slice(0, 15)
      return renderPage(request, reply, 'operations/views/figures.njk', {
        title: operation ? `${operation.name}: figures` : 'National figures',
        operation,
        operations,
        figures,
        active,
        nationalLine: nationalPressLine(figures.totals, figures.asOf),
        ownLine: ownForce ? forcePressLine(ownForce, figures.asOf) : null,
        forceLines: actor.forceId
          ? []
          : active.filter((f) => f.peopleArrested > 0).map((f) => forcePressLine(f, figures.asOf)),
        signpost: HELP_SIGNPOST,
        chart: barChart(chartForces.map((f) => ({ label: f.forceName, value: f.peopleArrested }))),
        chartForces,
      })
    })
  }
}
