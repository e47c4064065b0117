/**
 * The intake use case: read every document first — if any is refused, nothing at all is written and
 * the caller gets every refusal at once — then store them in batches, each batch one transaction.
 * A batch is all-or-nothing and a document never spans two batches, so an interrupted run loses at
 * most the batch in flight, and running it again stores the rest (what is stored is a duplicate).
 */
import type { Actor } from '../access/model.js'
import type { Db } from '../platform/db.js'
import { type IncomingDocument, type ReadDocument, type ReadOptions, readDocuments } from './documents.js'
import { refuseUnknownReports } from './file-details.js'
import type { RefusalError } from './model.js'
import type { IngestOutcome, StoreOptions } from './store.js'
import { storeRun } from './store-run.js'

export type { IncomingDocument } from './documents.js'
export type { IngestOutcome } from './store.js'

/**
 * Documents per transaction: large enough for one statement per table to pay off, small enough to lose
 * little. Each batch also becomes one job per pipeline stage, whose fixed cost (job, transaction,
 * planning every statement) is shared by its documents: 1,000 rather than 500 took CPU per referral
 * through every stage from 0.83 to 0.73 ms at 200k (docs/performance.md, session 4).
 */
export const DEFAULT_BATCH_SIZE = 1000

export interface IngestOptions extends StoreOptions, ReadOptions {
  batchSize?: number
  /** Batch transactions in flight at once (storeRun's default unless given). */
  concurrency?: number
  /** Called after each committed batch with the documents stored so far (for a progress bar). */
  onProgress?: (done: number, total: number) => void
}

/** Reads, checks that every <fileDetails> names a known report, and refuses or returns the documents. */
export async function readForIntake(
  db: Db,
  incoming: readonly IncomingDocument[],
  options: ReadOptions = {},
): Promise<{ read: ReadDocument[]; refusals: RefusalError[] }> {
  const { read, refusals } = await readDocuments(incoming, options)
  if (refusals.length > 0) return { read: [], refusals }
  const unknown = await refuseUnknownReports(db, read)
  if (unknown.length > 0) return { read: [], refusals: unknown }
  return { read, refusals }
}

/** Stores documents already read, batch by batch; reports go before the <fileDetails> naming them. */
export async function storeDocuments(
  db: Db,
  actor: Actor,
  read: readonly ReadDocument[],
  options: IngestOptions = {},
): Promise<IngestOutcome[]> {
  const ordered = [
    ...read.filter((document) => document.fileDetails.length === 0),
    ...read.filter((document) => document.fileDetails.length > 0),
  ]
  const size = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE)
  const batches: ReadDocument[][] = []
  for (let start = 0; start < ordered.length; start += size) batches.push(ordered.slice(start, start + size))
  const outcomes: IngestOutcome[][] = []
  let done = 0
  await storeRun(db, actor, batches, {
    ...options,
    onStored: (stored, batch, index) => {
      outcomes[index] = stored
      done += batch.length
      options.onProgress?.(done, ordered.length)
    },
  })
  return outcomes.flat()
}

export async function ingestDocuments(
  db: Db,
  actor: Actor,
  incoming: readonly IncomingDocument[],
  options: IngestOptions = {},
): Promise<{ refusals: RefusalError[]; outcomes: IngestOutcome[] }> {
  const { read, refusals } = await readForIntake(db, incoming, options)
  if (refusals.length > 0) return { refusals, outcomes: [] }
  return { refusals, outcomes: await storeDocuments(db, actor, read, options) }
}
