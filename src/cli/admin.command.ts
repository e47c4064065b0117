import type { Command } from 'commander'
import { hashPassword, newSecret } from '../access/secrets.js'
import { createApiToken } from '../access/service.js'
import { recordAudit } from '../audit/service.js'
import { jobs } from '../jobs.js'
import { createLogger } from '../platform/logger.js'
import { startWorker } from '../platform/queue.js'
import { openRuntime } from '../platform/runtime.js'
import { readConfig, withRuntime } from './context.js'

export function registerAdminCommands(program: Command) {
  program
    .command('migrate')
    .description('Apply database migrations and load reference data, then exit')
    .action(async () => {
      await withRuntime(async () => console.log('Database is up to date.'), { logLevel: 'info' })
    })

  program
    .command('worker')
    .description('Run only the pipeline worker (for a separate worker process beside `serve --no-worker`)')
    .action(async () => {
      const config = readConfig()
      const log = createLogger(config.logLevel)
      const runtime = await openRuntime(config, log)
      const worker = await startWorker(runtime.pool, jobs, { db: runtime.db, log }, config.workerConcurrency)
      const stop = async () => {
        await worker.stop()
        await runtime.shutdown()
        process.exit(0)
      }
      process.on('SIGINT', () => void stop())
      process.on('SIGTERM', () => void stop())
      console.log('Worker running. Press Ctrl-C to stop.')
    })

  const token = program.command('token').description('API tokens for machines (intake clients)')
  token
    .command('create')
    .argument('<name>', 'who the token is for, e.g. ncmec-feed')
    .option('--scope <scope>', 'what it may do', 'intake')
    .description('Create a token; it is printed once')
    .action(async (name: string, options: { scope: string }) => {
      await withRuntime(async ({ runtime, actor }) => {
        console.log(await createApiToken(runtime.db, actor, name, options.scope))
      })
    })

  const users = program.command('users').description('People who sign in')
  users
    .command('reset-password')
    .argument('<username>')
    .description('Give a user a new generated password, printed once')
    .action(async (username: string) => {
      process.exitCode = await withRuntime(async ({ runtime, actor }) => {
        const password = newSecret(12)
        const passwordHash = await hashPassword(password)
        const updated = await runtime.db.transaction().execute(async (tx) => {
          const row = await tx
            .updateTable('users')
            .set({ password_hash: passwordHash })
            .where('username', '=', username.toLowerCase())
            .returning(['id', 'force_id'])
            .executeTakeFirst()
          if (!row) return false
          await tx.deleteFrom('sessions').where('user_id', '=', row.id).execute()
          await recordAudit(tx, actor, {
            action: 'user.password-reset',
            recordType: 'user',
            recordId: row.id,
            forceId: row.force_id,
          })
          return true
        })
        if (!updated) {
          console.error(`No user ${username}`)
          return 1
        }
        console.log(`${username}: ${password}`)
        return 0
      })
    })
}
