import { join } from 'node:path'
import view from '@fastify/view'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import nunjucks from 'nunjucks'
import { ROLE_NAMES } from '../../access/model.js'
import { OUTCOME_NAMES } from '../../outcomes/model.js'
import { BAND_NAMES } from '../../triage/rules.js'
import { projectRoot } from '../paths.js'
import { navigationFor } from './navigation.js'

const LONDON = 'Europe/London'
const IDENTIFIER_KIND_NAMES: Record<string, string> = {
  email: 'E-mail',
  phone: 'Phone',
  account: 'Platform account',
  screen_name: 'Screen name',
  ip: 'IP address',
  device: 'Device',
}
const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: LONDON,
})
const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hourCycle: 'h12',
  timeZone: LONDON,
})

function toDate(value: unknown): Date | null {
  if (value === null || value === undefined || value === '') return null
  const d = value instanceof Date ? value : new Date(String(value))
  return Number.isNaN(d.getTime()) ? null : d
}

/** Nunjucks with the app's templates first, then GOV.UK and MOJ component macros. */
export async function setUpViews(app: FastifyInstance, options: { cache: boolean }) {
  await app.register(view, {
    engine: { nunjucks },
    templates: [
      join(projectRoot, 'src'),
      join(projectRoot, 'node_modules/govuk-frontend/dist'),
      join(projectRoot, 'node_modules/@ministryofjustice/frontend'),
    ],
    options: {
      autoescape: true,
      noCache: !options.cache,
      onConfigure(env: nunjucks.Environment) {
        const formatDate = (v: unknown) => {
          const d = toDate(v)
          return d ? dateFormat.format(d) : ''
        }
        env.addFilter('date', formatDate)
        // MOJ's timeline calls mojDate; an Intl formatter avoids pulling in moment.
        env.addFilter('mojDate', (v: unknown) => {
          const d = toDate(v)
          return d ? dateTimeFormat.format(d) : ''
        })
        env.addFilter('dateTime', (v: unknown) => {
          const d = toDate(v)
          return d ? dateTimeFormat.format(d) : ''
        })
        env.addFilter('number', (v: unknown) =>
          typeof v === 'number' ? v.toLocaleString('en-GB') : String(v ?? ''),
        )
        env.addFilter('bandName', (v: unknown) => BAND_NAMES[v as keyof typeof BAND_NAMES] ?? String(v))
        env.addFilter(
          'outcomeName',
          (v: unknown) => OUTCOME_NAMES[v as keyof typeof OUTCOME_NAMES] ?? String(v),
        )
        env.addFilter('roleName', (v: unknown) => ROLE_NAMES[v as keyof typeof ROLE_NAMES] ?? String(v))
        env.addFilter('humanise', (v: unknown) => {
          const s = String(v ?? '').replace(/_/g, ' ')
          return s.charAt(0).toUpperCase() + s.slice(1)
        })
        env.addFilter('identifierKind', (v: unknown) => IDENTIFIER_KIND_NAMES[String(v)] ?? String(v))
        env.addGlobal('serviceName', 'Footprint')
      },
    },
  })
}

/** Renders a page with what every page needs: the actor, navigation, CSRF token and CSP nonce. */
export function renderPage(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  context: Record<string, unknown> = {},
  status = 200,
) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .view(template, {
      ...context,
      actor: request.actor,
      csrfToken: request.session?.csrfToken ?? '',
      cspNonce: reply.cspNonce?.script ?? '',
      navigation: navigationFor(request.actor, request.url),
    })
}
