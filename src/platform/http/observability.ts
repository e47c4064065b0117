import type { FastifyInstance } from 'fastify'
import { sql } from 'kysely'
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client'
import type { Db } from '../db.js'

export const metrics = new Registry()
collectDefaultMetrics({ register: metrics })

const requests = new Histogram({
  name: 'footprint_http_request_duration_seconds',
  help: 'HTTP request duration by route and status',
  labelNames: ['method', 'route', 'status'],
  registers: [metrics],
})

export const referralsIngested = new Counter({
  name: 'footprint_referrals_ingested_total',
  help: 'Referrals accepted, by source',
  labelNames: ['source'],
  registers: [metrics],
})

/** /health and /metrics come before authentication, so probes need no session. */
export function setUpObservability(app: FastifyInstance, db: Db) {
  app.addHook('onResponse', async (request, reply) => {
    requests.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    )
  })
  app.get('/health', async (_request, reply) => {
    const started = Date.now()
    try {
      await sql`select 1`.execute(db)
      return { status: 'ok', database: { status: 'ok', latencyMs: Date.now() - started } }
    } catch (error) {
      return reply
        .code(503)
        .send({ status: 'unavailable', database: { status: 'down', error: (error as Error).message } })
    }
  })
  app.get('/metrics', async (_request, reply) => {
    return reply.header('content-type', metrics.contentType).send(await metrics.metrics())
  })
}
