import { existsSync } from 'node:fs'
import type { Command } from 'commander'
import {
  ManifestLineError,
  matchManifestRecords,
  type NumberedManifestLine,
  readManifest,
} from '../matching/manifest-lines.js'
import { matcherFor } from '../matching/matcher.js'
import { withRuntime } from './context.js'

const BATCH = 5000

export function registerMatchCommand(program: Command) {
  program
    .command('match')
    .description(
      'Match a hash manifest (the JSON Lines output of `footprint hash`) against the library; prints one JSON line per match',
    )
    .argument('<manifest>', 'MANIFEST.jsonl')
    .action(async (manifest: string) => {
      if (!existsSync(manifest)) {
        console.error(`${manifest}: no such file`)
        process.exitCode = 2
        return
      }
      try {
        const totals = await withRuntime(async ({ runtime }) => {
          const matcher = matcherFor(runtime.db)
          let records = 0
          let matches = 0
          let batch: NumberedManifestLine[] = []
          const flush = async () => {
            for (const match of await matchManifestRecords(matcher, batch)) {
              console.log(JSON.stringify(match))
              matches++
            }
            batch = []
          }
          for await (const record of readManifest(manifest)) {
            records++
            batch.push(record)
            if (batch.length === BATCH) await flush()
          }
          await flush()
          return { records, matches }
        })
        console.error(`${totals.records} files, ${totals.matches} matches`)
      } catch (error) {
        if (!(error instanceof ManifestLineError)) throw error
        console.error(`refused: ${manifest}: ${error.message}`)
        process.exitCode = 1
      }
    })
}
