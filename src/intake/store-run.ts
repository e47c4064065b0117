/**
 * Storing a run of batches with more than one transaction in flight. One transaction at a time left
 * a core idle: while Postgres works on a batch's statements the client only waits, and the pipeline
 * worker does not always have a stage to run. Two in flight kept both cores of the bench machine
 * busy (docs/performance.md, session 7).
 *
 * The outcome is the one storing the batches one after another would give: a batch that names a
 * report (source and key) also named by a batch still in flight, or that holds <fileDetails>, waits
 * until every batch before it has committed. Versions of one report are therefore numbered in file
 * order, and a <fileDetails> always finds the report stored before it.
 */
import type { Actor } from '../access/model.js'
import type { Db } from '../platform/db.js'
import type { ReadDocument } from './documents.js'
import { type IngestOutcome, type StoreOptions, storeBatch } from './store.js'

/** Batch transactions in flight at once. */
export const STORE_CONCURRENCY = 2

export interface RunOptions extends StoreOptions {
  concurrency?: number
  /** Called as each batch commits (not necessarily in order), with its position in the run. */
  onStored?: (outcomes: IngestOutcome[], batch: readonly ReadDocument[], index: number) => void
}

interface Flight {
  /** Every report key of the batch; null when the batch must wait for all before it. */
  keys: Set<string> | null
  settled: Promise<void>
}

function reportKeys(batch: readonly ReadDocument[]): Set<string> | null {
  if (batch.some((document) => document.fileDetails.length > 0)) return null
  return new Set(
    batch.flatMap((document) => document.referrals.map((r) => `${r.referral.source}\u0000${r.key}`)),
  )
}

/** Whether a batch with these keys must wait for this flight to commit first. */
function mustFollow(flight: Flight, keys: Set<string> | null): boolean {
  if (keys === null || flight.keys === null) return true
  for (const key of keys) if (flight.keys.has(key)) return true
  return false
}

/**
 * Stores each batch the source yields in its own transaction, up to `concurrency` at once. If a
 * transaction fails, no further batch is started, the ones in flight are waited for, and the first
 * error is thrown; so is an error of the source itself, also once the batches in flight have settled.
 */
export async function storeRun(
  db: Db,
  actor: Actor,
  batches: AsyncIterable<readonly ReadDocument[]> | Iterable<readonly ReadDocument[]>,
  options: RunOptions = {},
): Promise<void> {
  const concurrency = Math.max(1, options.concurrency ?? STORE_CONCURRENCY)
  const flights: Flight[] = []
  let failure: { error: unknown } | null = null
  let index = 0
  try {
    for await (const batch of batches) {
      if (failure) break
      const keys = reportKeys(batch)
      while (flights.length >= concurrency || flights.some((flight) => mustFollow(flight, keys))) {
        await Promise.race(flights.map((flight) => flight.settled))
      }
      if (failure) break
      const position = index++
      const flight: Flight = { keys, settled: Promise.resolve() }
      flight.settled = db
        .transaction()
        .execute((tx) => storeBatch(tx, actor, batch, options))
        .then((outcomes) => options.onStored?.(outcomes, batch, position))
        .catch((error: unknown) => {
          failure ??= { error }
        })
        .finally(() => flights.splice(flights.indexOf(flight), 1))
      flights.push(flight)
    }
  } finally {
    // Whatever ends the loop, nothing is left running: an interrupted run loses only uncommitted batches.
    await Promise.all(flights.map((flight) => flight.settled))
  }
  if (failure) throw (failure as { error: unknown }).error
}
