import { Command } from 'commander'
import { registerHashCommand } from '../hashing/hash.command.js'
import { registerAdminCommands } from './admin.command.js'
import { registerDemoCommand } from './demo.command.js'
import { registerHashsetCommands } from './hashset.command.js'
import { registerIngestCommand } from './ingest.command.js'
import { registerMatchCommand } from './match.command.js'
import { registerServeCommand } from './serve.command.js'

const program = new Command('footprint')
  .description('Footprint: national coordination of online child sexual abuse referrals')
  .showHelpAfterError()

registerServeCommand(program)
registerIngestCommand(program)
registerDemoCommand(program)
registerAdminCommands(program)
registerHashCommand(program)
registerHashsetCommands(program)
registerMatchCommand(program)

try {
  await program.parseAsync(process.argv)
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = 1
}
