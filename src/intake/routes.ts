import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { isNational } from '../access/model.js'
import type { RouteDependencies } from '../platform/http/app.js'
import { requireApiActor } from '../platform/http/auth.js'
import { referralsIngested } from '../platform/http/observability.js'
import { type IncomingDocument, ingestDocuments } from './service.js'

async function incomingDocuments(request: FastifyRequest): Promise<IncomingDocument[]> {
  if (request.isMultipart()) {
    const documents: IncomingDocument[] = []
    for await (const part of request.files()) {
      documents.push({ fileName: part.filename || part.fieldname, body: await part.toBuffer() })
    }
    return documents
  }
  const body = request.body
  const name =
    typeof request.headers['x-file-name'] === 'string' ? request.headers['x-file-name'] : 'request body'
  return [{ fileName: name, body: Buffer.isBuffer(body) ? body : Buffer.alloc(0) }]
}

export function intakeRoutes(deps: RouteDependencies): FastifyPluginAsync {
  return async (app) => {
    // The document is evidence: keep the bytes exactly as sent (and hash them), so JSON is not
    // parsed by the framework here but by the referral parser, from the raw buffer.
    app.addContentTypeParser(
      ['application/json', 'application/octet-stream'],
      { parseAs: 'buffer' },
      (_req, body, done) => done(null, body),
    )

    app.post(
      '/api/referrals',
      {
        schema: {
          description:
            'Submit referrals: a CyberTipline law-enforcement JSON report as the request body, or several as multipart files. ' +
            'Each report is accepted once per reportId; a resend is answered as a duplicate. If any file is refused, nothing is stored.',
          security: [{ token: [] }],
        },
      },
      async (request, reply) => {
        const actor = requireApiActor(request, reply)
        if (!actor) return reply
        const allowed =
          (actor.kind === 'token' && actor.scope === 'intake') || (actor.kind === 'user' && isNational(actor))
        if (!allowed) return reply.code(403).send({ error: 'This token or user may not submit referrals' })
        const documents = await incomingDocuments(request)
        if (documents.length === 0) return reply.code(400).send({ error: 'Send a referral document' })
        const { refusals, outcomes } = await ingestDocuments(deps.db, actor, documents)
        if (refusals.length > 0) {
          return reply.code(422).send({
            error: 'Nothing was stored: fix these and send again',
            refusals: refusals.map((r) => ({ message: r.message, ...r.where, reason: r.reason })),
          })
        }
        for (const o of outcomes) if (o.status === 'accepted') referralsIngested.inc({ source: 'api' })
        const created = outcomes.some((o) => o.status === 'accepted')
        return reply.code(created ? 201 : 200).send({ referrals: outcomes })
      },
    )
  }
}
