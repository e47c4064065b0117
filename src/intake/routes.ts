import type { FastifyPluginAsync, FastifyRequest } from 'fastify'
import { actorLabel, canSubmitToBureau } from '../access/model.js'
import type { RouteDependencies } from '../platform/http/app.js'
import { requireApiActor } from '../platform/http/auth.js'
import { referralsIngested } from '../platform/http/observability.js'
import { type IncomingDocument, ingestDocuments } from './service.js'

interface Upload {
  documents: IncomingDocument[]
  reportId: string | null
}

async function upload(request: FastifyRequest): Promise<Upload> {
  const header = (name: string) =>
    typeof request.headers[name] === 'string' ? String(request.headers[name]) : null
  if (request.isMultipart()) {
    const documents: IncomingDocument[] = []
    let reportId: string | null = null
    for await (const part of request.parts()) {
      if (part.type === 'file')
        documents.push({ fileName: part.filename || part.fieldname, body: await part.toBuffer() })
      else if (part.fieldname === 'reportId' && typeof part.value === 'string' && part.value.trim())
        reportId = part.value.trim()
    }
    return { documents, reportId: reportId ?? header('x-report-id') }
  }
  const body = request.body
  return {
    documents: [
      {
        fileName: header('x-file-name') ?? 'request body',
        body: Buffer.isBuffer(body) ? body : Buffer.alloc(0),
      },
    ],
    reportId: header('x-report-id'),
  }
}

export function intakeRoutes(deps: RouteDependencies): FastifyPluginAsync {
  return async (app) => {
    // The document is evidence: keep the bytes exactly as sent (and hash them), so nothing is parsed
    // by the framework here but by the referral readers, from the raw buffer.
    app.addContentTypeParser(
      [
        'application/json',
        'application/octet-stream',
        'application/xml',
        'text/xml',
        'text/csv',
        'application/zip',
      ],
      { parseAs: 'buffer' },
      (_req, body, done) => done(null, body),
    )

    app.post(
      '/api/referrals',
      {
        schema: {
          description:
            'Submit referrals as the request body (CyberTipline LE JSON, CyberTipline XML <report> or <fileDetails>, ' +
            'P2P sightings CSV, a ZIP bundle, or a partner referral JSON object with partnerAgency, reference, emails, ' +
            'phones, accounts [{platform, account}], street, city, postcode, summary, fileHashes), or several as ' +
            'multipart files. For an XML <report>, send the reportId NCMEC returned as the x-report-id header or a ' +
            'reportId form field; <fileDetails> attach to the report with their reportId. A report is accepted once per ' +
            'reportId; a resend with changes is a new version. If any file is refused, nothing is stored.',
          security: [{ token: [] }],
        },
      },
      async (request, reply) => {
        const actor = requireApiActor(request, reply)
        if (!actor) return reply
        if (!canSubmitToBureau(actor))
          return reply.code(403).send({ error: 'This token or user may not submit referrals' })
        const { documents, reportId } = await upload(request)
        if (documents.length === 0) return reply.code(400).send({ error: 'Send a referral document' })
        const { refusals, outcomes } = await ingestDocuments(deps.db, actor, documents, {
          reportId,
          receivedVia: `api:${actorLabel(actor)}`,
        })
        if (refusals.length > 0) {
          return reply.code(422).send({
            error: 'Nothing was stored: fix these and send again',
            refusals: refusals.map((r) => ({ message: r.message, ...r.where, reason: r.reason })),
          })
        }
        for (const o of outcomes) if (o.status === 'accepted') referralsIngested.inc({ source: 'api' })
        const created = outcomes.some((o) => o.status === 'accepted' || o.status === 'attached')
        return reply.code(created ? 201 : 200).send({ referrals: outcomes })
      },
    )
  }
}
