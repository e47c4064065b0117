import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod'
import { RefusalError } from '../../intake/model.js'
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '../errors.js'
import { renderPage } from './views.js'

function wantsJson(request: FastifyRequest) {
  return request.url.startsWith('/api/') || !(request.headers.accept ?? '').includes('text/html')
}

function page(request: FastifyRequest, reply: FastifyReply, status: number, title: string, message: string) {
  return renderPage(request, reply, 'platform/http/views/error.njk', { title, message }, status)
}

/** Domain errors become HTTP statuses here, and nowhere else: JSON for the API, a page for people. */
export function setUpErrorHandling(app: FastifyInstance) {
  app.setNotFoundHandler((request, reply) => {
    if (wantsJson(request)) return reply.code(404).send({ error: 'Not found' })
    return page(request, reply, 404, 'Page not found', 'If you typed the web address, check it is correct.')
  })
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof NotFoundError) return reply.callNotFound()
    if (hasZodFastifySchemaValidationErrors(error)) {
      return reply.code(400).send({
        error: 'The request is not valid',
        fields: error.validation.map((v) => ({ path: v.instancePath || '/', message: v.message })),
      })
    }
    if (error instanceof ValidationError)
      return reply.code(400).send({ error: error.message, fields: error.fields })
    if (error instanceof RefusalError)
      return reply.code(422).send({ error: error.message, where: error.where })
    if (error instanceof ForbiddenError) {
      if (wantsJson(request)) return reply.code(403).send({ error: error.message })
      return page(request, reply, 403, 'You cannot do that', error.message)
    }
    if (error instanceof ConflictError) {
      if (wantsJson(request)) return reply.code(409).send({ error: error.message })
      return page(request, reply, 409, 'That has already been done', error.message)
    }
    const status = error.statusCode && error.statusCode < 500 ? error.statusCode : 500
    if (status === 500) request.log.error({ err: error }, 'request failed')
    const message =
      status === 500 ? 'Sorry, there is a problem with the service. Try again later.' : error.message
    if (wantsJson(request)) return reply.code(status).send({ error: message })
    return page(
      request,
      reply,
      status,
      status === 500 ? 'Sorry, there is a problem with the service' : 'There is a problem',
      message,
    )
  })
}
