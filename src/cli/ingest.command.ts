import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { RefusalError } from '../intake/model.js'
import {
  type IncomingDocument,
  type ParsedDocument,
  parseIncoming,
  storeReferrals,
} from '../intake/service.js'
import { findOperationByCode } from '../operations/repo.js'
import { withRuntime } from './context.js'

/** Files named, folders walked (sorted, so a run is repeatable), and '-' for standard input. */
async function collectDocuments(paths: string[]): Promise<IncomingDocument[]> {
  const documents: IncomingDocument[] = []
  for (const path of paths) {
    if (path === '-') {
      const chunks: Buffer[] = []
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
      documents.push({ fileName: 'standard input', body: Buffer.concat(chunks) })
      continue
    }
    const info = await stat(path).catch(() => null)
    if (!info) throw new Error(`${path}: no such file or folder`)
    if (info.isDirectory()) {
      const entries = (await readdir(path)).sort()
      documents.push(
        ...(await collectDocuments(entries.filter((e) => !e.startsWith('.')).map((e) => join(path, e)))),
      )
    } else {
      documents.push({ fileName: path, body: await readFile(path) })
    }
  }
  return documents
}

export function registerIngestCommand(program: Command) {
  program
    .command('ingest')
    .description(
      'Accept referral files (CyberTipline law-enforcement JSON). If any file is refused, nothing is stored.',
    )
    .argument('<paths...>', 'files, folders or - for standard input')
    .option('--operation <code>', 'add the referrals to this operation')
    .action(async (paths: string[], options: { operation?: string }) => {
      const documents = await collectDocuments(paths)
      // Everything is parsed before the database is touched: a refused batch writes nothing at all.
      const parsed: ParsedDocument[] = []
      const refusals: RefusalError[] = []
      for (const document of documents) {
        try {
          parsed.push(parseIncoming(document))
        } catch (error) {
          if (!(error instanceof RefusalError)) throw error
          refusals.push(error)
        }
      }
      if (refusals.length > 0) {
        for (const refusal of refusals) console.error(`refused: ${refusal.message}`)
        console.error(`Nothing was stored: ${refusals.length} of ${documents.length} file(s) refused.`)
        process.exitCode = 1
        return
      }
      const exitCode = await withRuntime(async ({ runtime, actor, drain }) => {
        const operation = options.operation
          ? await findOperationByCode(runtime.db, options.operation)
          : undefined
        if (options.operation && !operation) {
          console.error(`No operation with code ${options.operation}`)
          return 2
        }
        const outcomes = await storeReferrals(runtime.db, actor, parsed, {
          operationId: operation?.id ?? null,
        })
        for (const o of outcomes) {
          const what =
            o.status === 'accepted'
              ? 'accepted'
              : o.changed
                ? 'already received (this copy differs)'
                : 'already received'
          console.log(
            `${o.fileName}: ${what} as referral ${o.referralId}${o.sourceReference ? ` (report ${o.sourceReference})` : ''}`,
          )
        }
        await drain()
        const accepted = outcomes.filter((o) => o.status === 'accepted').length
        console.log(`${accepted} accepted, ${outcomes.length - accepted} already received.`)
        return 0
      })
      process.exitCode = exitCode
    })
}
