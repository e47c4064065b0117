import { type DestinationStream, type Logger, pino } from 'pino'

export type { Logger }

/**
 * Logs carry ids and counts, never personal data: identifiers, names and addresses stay in the
 * database, where every view of them is audited. The redaction list is a second line of defence.
 */
export function createLogger(level: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      level,
      base: { service: 'footprint' },
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers.cookie',
          '*.password',
          '*.email',
          '*.phone',
          '*.address',
          '*.postcode',
          'password',
          'token',
        ],
        censor: '[redacted]',
      },
    },
    destination as DestinationStream,
  )
}
