// Stand-alone entry for the hash command (`node dist/src/hashing/hash-main.js hash ...`), used by the
// end-to-end test until the main CLI wires registerHashCommand in.
import { Command } from 'commander'
import { registerHashCommand } from './hash.command.js'

const program = new Command('footprint').exitOverride()
registerHashCommand(program)
try {
  await program.parseAsync(process.argv)
} catch (error) {
  const code = (error as { exitCode?: number }).exitCode
  if (code === undefined) console.error(error instanceof Error ? error.message : String(error))
  process.exitCode = code ?? 1
}
