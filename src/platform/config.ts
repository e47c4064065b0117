import { resolve } from 'node:path'
import { z } from 'zod'

/** Everything Footprint reads from the environment, validated once at start. */
export interface Config {
  /** Any Postgres; when absent, Footprint runs its own embedded server. */
  databaseUrl: string | undefined
  dataDir: string
  embeddedPort: number
  port: number
  host: string
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'
  /** Secure cookies need HTTPS; off for the local http://localhost demo. */
  secureCookies: boolean
  sessionHours: number
  workerConcurrency: number
  /** Largest PDQ Hamming distance (of 256 bits) that counts as a match. */
  pdqRadius: number
  /** PDQ hashes below this quality (0..100) are too featureless to match on. */
  pdqQualityFloor: number
}

const port = (name: string, fallback: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((v, ctx) => {
      const n = Number(v)
      if (!Number.isInteger(n) || n < 1 || n > 65535) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number from 1 to 65535, not "${v}"`,
        })
        return z.NEVER
      }
      return n
    })

const positiveInt = (name: string, fallback: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((v, ctx) => {
      const n = Number(v)
      if (!Number.isInteger(n) || n < 1 || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number from 1 to ${max}, not "${v}"`,
        })
        return z.NEVER
      }
      return n
    })

const wholeNumberIn = (name: string, fallback: number, min: number, max: number) =>
  z
    .string()
    .default(String(fallback))
    .transform((v, ctx) => {
      const n = Number(v)
      if (v.trim() === '' || !Number.isInteger(n) || n < min || n > max) {
        ctx.addIssue({
          code: 'custom',
          message: `${name} must be a whole number from ${min} to ${max}, not "${v}"`,
        })
        return z.NEVER
      }
      return n
    })

const environment = z.object({
  DATABASE_URL: z
    .string()
    .optional()
    .refine((v) => v === undefined || v === '' || /^postgres(ql)?:\/\//.test(v), {
      message: 'DATABASE_URL must start with postgres:// or postgresql://',
    }),
  FOOTPRINT_DATA_DIR: z.string().default('./.footprint'),
  FOOTPRINT_DB_PORT: port('FOOTPRINT_DB_PORT', 54329).refine((p) => p !== 5432, {
    message: 'FOOTPRINT_DB_PORT must not be 5432, the port a system Postgres usually holds',
  }),
  PORT: port('PORT', 3000),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SECURE_COOKIES: z.enum(['true', 'false']).default('false'),
  SESSION_HOURS: positiveInt('SESSION_HOURS', 8, 24 * 30),
  WORKER_CONCURRENCY: positiveInt('WORKER_CONCURRENCY', 4, 64),
  // Above ~64 of 256 bits, unrelated images start to match (PDQ paper); 31 is the published threshold.
  PDQ_RADIUS: wholeNumberIn('PDQ_RADIUS', 31, 0, 64),
  PDQ_QUALITY_FLOOR: wholeNumberIn('PDQ_QUALITY_FLOOR', 50, 0, 100),
})

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Footprint cannot start; fix these settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  }
}

/** Reads and validates the environment; throws ConfigError naming every bad value at once. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environment.safeParse(env)
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`))
  }
  const e = parsed.data
  return {
    databaseUrl: e.DATABASE_URL || undefined,
    dataDir: resolve(e.FOOTPRINT_DATA_DIR),
    embeddedPort: e.FOOTPRINT_DB_PORT,
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    secureCookies: e.SECURE_COOKIES === 'true',
    sessionHours: e.SESSION_HOURS,
    workerConcurrency: e.WORKER_CONCURRENCY,
    pdqRadius: e.PDQ_RADIUS,
    pdqQualityFloor: e.PDQ_QUALITY_FLOOR,
  }
}
