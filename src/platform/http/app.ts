import './types.js'
import { join } from 'node:path'
import cookie from '@fastify/cookie'
import formbody from '@fastify/formbody'
import helmet from '@fastify/helmet'
import multipart from '@fastify/multipart'
import fastifyStatic from '@fastify/static'
import swagger from '@fastify/swagger'
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify'
import { jsonSchemaTransform, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod'
import { accessRoutes } from '../../access/routes.js'
import { intakeAdminRoutes } from '../../intake/admin-routes.js'
import { partnerRoutes } from '../../intake/partner-routes.js'
import { intakeRoutes } from '../../intake/routes.js'
import { locatingRoutes } from '../../locating/routes.js'
import { matchingRoutes } from '../../matching/routes.js'
import { operationsRoutes } from '../../operations/routes.js'
import { outcomesRoutes } from '../../outcomes/routes.js'
import { packagesRoutes } from '../../packages/routes.js'
import { subjectsRoutes } from '../../subjects/routes.js'
import type { Db } from '../db.js'
import type { Logger } from '../logger.js'
import { projectRoot } from '../paths.js'
import { setUpAuthentication } from './auth.js'
import { setUpErrorHandling } from './errors.js'
import { setUpObservability } from './observability.js'
import { setUpViews } from './views.js'

export interface AppDependencies {
  db: Db
  log: Logger
  secureCookies: boolean
  sessionHours: number
  /** Template caching: on when serving, off in development. */
  cacheViews: boolean
}

export type RouteDependencies = Pick<AppDependencies, 'db' | 'secureCookies' | 'sessionHours'>

/** The HTTP app: one ordered list of set-up steps, then each module's routes. No listen here. */
export async function buildApp(deps: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Referral documents can be large; the API takes up to 25 MB per request.
    bodyLimit: 25 * 1024 * 1024,
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)

  setUpObservability(app, deps.db)
  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
  })
  await app.register(cookie)
  await app.register(formbody)
  await app.register(multipart, { limits: { fileSize: 25 * 1024 * 1024, files: 100 } })
  await app.register(fastifyStatic, {
    root: [
      join(projectRoot, 'public'),
      join(projectRoot, 'node_modules/govuk-frontend/dist/govuk/assets'),
      join(projectRoot, 'node_modules/@ministryofjustice/frontend/moj/assets'),
    ],
    prefix: '/assets/',
    maxAge: '1h',
  })
  await app.register(swagger, {
    openapi: {
      info: { title: 'Footprint API', version: '1' },
      components: { securitySchemes: { token: { type: 'http', scheme: 'bearer' } } },
    },
    transform: jsonSchemaTransform,
  })
  await setUpViews(app, { cache: deps.cacheViews })
  setUpAuthentication(app, deps.db)
  setUpErrorHandling(app)

  const routeDeps: RouteDependencies = deps
  for (const routes of [
    accessRoutes,
    intakeRoutes,
    intakeAdminRoutes,
    partnerRoutes,
    packagesRoutes,
    outcomesRoutes,
    locatingRoutes,
    subjectsRoutes,
    operationsRoutes,
    matchingRoutes,
  ]) {
    await app.register(routes(routeDeps))
  }
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger())
  return app
}
