import { describe, expect, it } from 'vitest'
import { ConfigError, loadConfig } from './config.js'

describe(loadConfig.name, () => {
  it('gives the documented defaults on an empty environment', () => {
    const config = loadConfig({})
    expect(config).toMatchObject({
      databaseUrl: undefined,
      embeddedPort: 54329,
      port: 3000,
      host: '127.0.0.1',
      sessionHours: 8,
    })
    expect(config.dataDir).toMatch(/\.footprint$/)
  })

  it('names every bad value at once', () => {
    try {
      loadConfig({ PORT: 'eighty', FOOTPRINT_DB_PORT: '5432', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud' })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError)
      const problems = (error as ConfigError).problems.join('\n')
      expect(problems).toContain('PORT must be a whole number from 1 to 65535, not "eighty"')
      expect(problems).toContain('FOOTPRINT_DB_PORT must not be 5432')
      expect(problems).toContain('DATABASE_URL must start with postgres://')
      expect(problems).toContain('LOG_LEVEL')
    }
  })
})
