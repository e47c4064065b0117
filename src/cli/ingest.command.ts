import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { Command } from 'commander'
import { actorLabel } from '../access/model.js'
import { type DocumentSource, ingestFiles } from '../intake/ingest-files.js'
import type { IngestOutcome } from '../intake/service.js'
import { DEFAULT_BATCH_SIZE } from '../intake/service.js'
import { findOperationByCode } from '../operations/repo.js'
import { withRuntime } from './context.js'

/**
 * Files named, folders walked (sorted, so a run is repeatable), and '-' for standard input. Files are
 * read when ingestion needs them, not here, so that a folder of a million referrals is never in memory
 * at once.
 */
async function collectSources(paths: string[]): Promise<DocumentSource[]> {
  const sources: DocumentSource[] = []
  for (const path of paths) {
    if (path === '-') {
      const chunks: Buffer[] = []
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
      const body = Buffer.concat(chunks)
      sources.push({ fileName: 'standard input', load: async () => body })
      continue
    }
    const info = await stat(path).catch(() => null)
    if (!info) throw new Error(`${path}: no such file or folder`)
    if (info.isDirectory()) {
      const entries = (await readdir(path)).sort()
      sources.push(
        ...(await collectSources(entries.filter((e) => !e.startsWith('.')).map((e) => join(path, e)))),
      )
    } else {
      sources.push({ fileName: path, load: () => readFile(path) })
    }
  }
  return sources
}

/** A one-line bar on stderr, only on a terminal (a log file gets the summary lines alone). */
function progressBar(label: string): (done: number, total: number) => void {
  if (!process.stderr.isTTY) return () => undefined
  const started = performance.now()
  return (done, total) => {
    const width = 30
    const filled = total === 0 ? width : Math.round((done / total) * width)
    const rate = done / Math.max(0.001, (performance.now() - started) / 1000)
    process.stderr.write(
      `\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} ${rate.toFixed(0)}/s`,
    )
    if (done === total) process.stderr.write('\n')
  }
}

function describe(o: IngestOutcome): string {
  switch (o.status) {
    case 'accepted':
      return `${o.fileName}: accepted as referral ${o.referralId}${o.sourceReference ? ` (report ${o.sourceReference})` : ''}${
        o.supersedes ? `, version ${o.version} replacing referral ${o.supersedes}` : ''
      }`
    case 'duplicate':
      return `${o.fileName}: already received as referral ${o.referralId}${o.sourceReference ? ` (report ${o.sourceReference})` : ''}`
    case 'attached':
      return `${o.fileName}: file ${o.fileId} attached to report ${o.sourceReference} (referral ${o.referralId})`
    case 'already-attached':
      return `${o.fileName}: file ${o.fileId} already attached to report ${o.sourceReference}`
  }
}

export function registerIngestCommand(program: Command) {
  program
    .command('ingest')
    .description(
      'Accept referral files: CyberTipline LE JSON, CyberTipline XML <report>/<fileDetails>, P2P sightings CSV, ' +
        'partner referral JSON, ZIP bundles. If any file is refused, nothing is stored.',
    )
    .argument('<paths...>', 'files, folders or - for standard input')
    .option('--operation <code>', 'add the referrals to this operation')
    .option('--report-id <id>', 'the reportId NCMEC returned for the (one) XML <report> being ingested')
    .option('--batch-size <n>', 'documents per transaction', String(DEFAULT_BATCH_SIZE))
    .option('--no-drain', 'store only; leave the pipeline jobs to the worker')
    .action(
      async (
        paths: string[],
        options: { operation?: string; reportId?: string; batchSize: string; drain: boolean },
      ) => {
        const sources = await collectSources(paths)
        const exitCode = await withRuntime(async ({ runtime, actor, drain }) => {
          const operation = options.operation
            ? await findOperationByCode(runtime.db, options.operation)
            : undefined
          if (options.operation && !operation) {
            console.error(`No operation with code ${options.operation}`)
            return 2
          }
          const counts = new Map<IngestOutcome['status'], number>()
          const storing = progressBar('storing')
          // Every file is read and checked before anything is stored: a refused file means nothing at
          // all is written. Then each batch is read again and stored.
          const { refusals } = await ingestFiles(runtime.db, actor, sources, {
            reportId: options.reportId ?? null,
            operationId: operation?.id ?? null,
            receivedVia: actorLabel(actor),
            batchSize: Number(options.batchSize) || undefined,
            onChecked: progressBar('checking'),
            onStored: (outcomes, done, total) => {
              for (const o of outcomes) {
                console.log(describe(o))
                counts.set(o.status, (counts.get(o.status) ?? 0) + 1)
              }
              storing(done, total)
            },
          })
          if (refusals.length > 0) {
            for (const refusal of refusals) console.error(`refused: ${refusal.message}`)
            console.error(`Nothing was stored: ${refusals.length} of ${sources.length} file(s) refused.`)
            return 1
          }
          if (options.drain) await drain()
          const count = (status: IngestOutcome['status']) => counts.get(status) ?? 0
          console.log(
            `${count('accepted')} accepted, ${count('duplicate')} already received` +
              (count('attached') + count('already-attached') > 0
                ? `, ${count('attached')} file details attached, ${count('already-attached')} already attached.`
                : '.'),
          )
          return 0
        })
        process.exitCode = exitCode
      },
    )
}
