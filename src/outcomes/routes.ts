import type { FastifyPluginAsync } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { packageIdParams } from '../packages/contracts.js'
import { renderPackagePage } from '../packages/page.js'
import { ValidationError } from '../platform/errors.js'
import type { RouteDependencies } from '../platform/http/app.js'
import { requireApiActor, requireUser } from '../platform/http/auth.js'
import { OUTCOME_KINDS } from './model.js'
import { recordOutcome } from './service.js'

/** Day, month and year fields (GOV.UK date input) to an ISO date; '' when all are empty. */
function dateFromParts(form: Record<string, string | undefined>, prefix: string): string {
  const [day, month, year] = ['day', 'month', 'year'].map((p) => (form[`${prefix}-${p}`] ?? '').trim())
  if (!day && !month && !year) return ''
  if (!/^\d{1,2}$/.test(day!) || !/^\d{1,2}$/.test(month!) || !/^\d{4}$/.test(year!)) return 'invalid'
  return `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`
}

export function outcomesRoutes(deps: RouteDependencies): FastifyPluginAsync {
  const { db } = deps
  return async (plain) => {
    const app = plain.withTypeProvider<ZodTypeProvider>()

    app.post(
      '/packages/:id/outcomes',
      { schema: { params: packageIdParams, hide: true } },
      async (request, reply) => {
        const actor = requireUser(request, reply)
        if (!actor) return reply
        const form = (request.body ?? {}) as Record<string, string | undefined>
        try {
          await recordOutcome(db, actor, request.params.id, {
            kind: form.kind ?? '',
            occurredOn: dateFromParts(form, 'occurredOn'),
            children: form.children,
            offence: form.offence,
            bailUntil: dateFromParts(form, 'bailUntil') || null,
            note: form.note,
          })
          return reply.redirect(`/packages/${request.params.id}?done=outcome`, 303)
        } catch (error) {
          if (!(error instanceof ValidationError)) throw error
          return renderPackagePage(
            db,
            request,
            reply,
            actor,
            request.params.id,
            { errors: error.fields, form },
            400,
          )
        }
      },
    )

    app.post(
      '/api/packages/:id/outcomes',
      {
        schema: {
          description: 'A force records what it did on a package it holds.',
          params: packageIdParams,
          body: z.object({
            kind: z.enum(OUTCOME_KINDS as [string, ...string[]]),
            occurredOn: z.string().describe('ISO date, YYYY-MM-DD'),
            children: z.number().int().positive().optional(),
            offence: z.string().optional(),
            bailUntil: z.string().optional(),
            note: z.string().optional(),
          }),
          response: { 201: z.object({ id: z.string() }) },
        },
      },
      async (request, reply) => {
        const actor = requireApiActor(request, reply)
        if (!actor) return reply
        const id = await recordOutcome(db, actor, request.params.id, request.body)
        return reply.code(201).send({ id })
      },
    )
  }
}
