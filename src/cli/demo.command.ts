import type { Command } from 'commander'
import { DEMO_USERS, ensureDemoUsers, type NewUser } from '../access/service.js'
import { loadDemoOperation } from '../operations/demo-loader.js'
import { withRuntime } from './context.js'

/** The one time demo passwords are shown: they are stored only as argon2id hashes. */
export function printDemoUsers(created: (NewUser & { password: string })[]) {
  if (created.length === 0) {
    console.log(
      `Demo users: ${DEMO_USERS.map((u) => u.username).join(', ')} (passwords were printed when they were created; ` +
        'set a new one with `footprint users reset-password USERNAME`).',
    )
    return
  }
  console.log('\nDemo sign-ins (shown once; keep them):')
  for (const user of created) {
    const where = user.forceId ? `, ${user.forceId}` : ''
    console.log(`  ${user.username.padEnd(22)} ${user.password}   (${user.role}${where})`)
  }
  console.log('')
}

export function registerDemoCommand(program: Command) {
  program
    .command('demo')
    .description('Create the demo users and load the synthetic demo operation (once)')
    .action(async () => {
      await withRuntime(async ({ runtime, drain }) => {
        printDemoUsers(await ensureDemoUsers(runtime.db))
        const result = await loadDemoOperation(runtime.db, drain)
        console.log(
          result.loaded
            ? `Demo operation ${result.operationCode} loaded: ${result.referrals} referrals, ${result.packagesApproved} packages sent, ${result.outcomes} outcomes.`
            : `Demo operation ${result.operationCode} is already loaded.`,
        )
      })
    })
}
