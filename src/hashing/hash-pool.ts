// Runs hashFile over many files on worker threads (one per core), or in this thread when threads = 0.
// Each worker gets one file at a time by default: with a worker per core there is no spare core for a
// second file's decode to overlap with, and two decoded images alive per worker defeat the prompt
// release of their memory (release.ts). On the bench corpus, two files in flight cost 16.2 CPU ms per
// image against 13.9 ms for one (170 against 55 page faults per image).
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { type HashOptions, hashFile } from './hash-file.js'
import type { HashJob, HashJobResult } from './hash-worker.js'
import type { ManifestRecord } from './manifest.js'

export interface PoolOptions {
  /** Worker threads; 0 hashes in the calling thread. Defaults to one per core. */
  threads?: number
  /** Compiled worker script; tests running TypeScript sources point this at dist/. */
  workerUrl?: URL
  /** Files handed to each worker at once (default 1); more may help on slow storage. */
  inFlightPerWorker?: number
}

export type RecordSink = (record: ManifestRecord) => void | Promise<void>

export const defaultThreads = (): number => availableParallelism()

async function hashInThisThread(
  paths: readonly string[],
  options: HashOptions,
  sink: RecordSink,
): Promise<void> {
  let next = 0
  const lane = async (): Promise<void> => {
    while (next < paths.length) {
      const path = paths[next++]!
      await sink(await hashFile(path, options))
    }
  }
  await Promise.all([lane(), lane()])
}

interface Job {
  path: string
  attempts: number
}

/** Hashes every path and hands each record to `sink` (in completion order, one call at a time). */
export async function hashPaths(
  paths: readonly string[],
  options: HashOptions,
  sink: RecordSink,
  pool: PoolOptions = {},
): Promise<void> {
  const threads = Math.min(pool.threads ?? defaultThreads(), paths.length)
  if (threads <= 0) return hashInThisThread(paths, options, sink)
  const workerUrl = pool.workerUrl ?? new URL('./hash-worker.js', import.meta.url)
  const perWorker = Math.max(1, pool.inFlightPerWorker ?? 1)
  const queue: Job[] = paths.map((path) => ({ path, attempts: 0 }))
  let remaining = queue.length
  let nextId = 0
  let writes: Promise<void> = Promise.resolve()

  return new Promise<void>((resolve, reject) => {
    const live = new Set<Worker>()
    let stopped = false
    let deadOnArrival = 0
    const stop = (error?: unknown): void => {
      if (stopped) return
      stopped = true
      for (const worker of live) void worker.terminate()
      live.clear()
      if (error === undefined) writes.then(resolve, reject)
      else reject(error)
    }
    const deliver = (record: ManifestRecord): void => {
      // A sink failure (say, the manifest's disk is full) ends the run at once rather than at the end.
      writes = writes.then(() => sink(record))
      writes.catch(stop)
      remaining--
      if (remaining === 0) stop()
    }

    const start = (): void => {
      const worker = new Worker(workerUrl, { workerData: { options } })
      const inFlight = new Map<number, Job>()
      live.add(worker)
      // A retried file runs alone, so that if it kills the worker again it takes no innocent file along.
      const isolating = (): boolean => [...inFlight.values()].some((job) => job.attempts > 0)
      const feed = (): void => {
        while (inFlight.size < perWorker && queue.length > 0 && !isolating()) {
          if (queue[0]!.attempts > 0 && inFlight.size > 0) break
          const job = queue.shift()!
          const id = nextId++
          inFlight.set(id, job)
          const message: HashJob = { id, path: job.path }
          worker.postMessage(message)
        }
      }
      let completed = 0
      worker.on('message', (result: HashJobResult) => {
        completed++
        inFlight.delete(result.id)
        deliver(result.record)
        feed()
      })
      // A worker that dies (native crash, out of memory) takes its in-flight files with it: retry each
      // once in a fresh worker, then record it as an error so the batch still completes.
      const lost = (reason: string): void => {
        if (stopped || !live.delete(worker)) return
        // Workers that cannot even start (missing script, broken install) must not be restarted forever.
        if (completed === 0 && ++deadOnArrival >= 3) {
          stop(new Error(`hash workers fail to start: ${reason}`))
          return
        }
        for (const job of inFlight.values()) {
          if (job.attempts === 0) queue.unshift({ path: job.path, attempts: 1 })
          else deliver({ path: job.path, error: `hashing worker stopped on this file: ${reason}` })
        }
        inFlight.clear()
        if (queue.length > 0) start()
        else if (live.size === 0 && remaining > 0) stop(new Error(`hash workers stopped: ${reason}`))
      }
      worker.on('error', (error) => lost(error.message))
      worker.on('exit', (code) => {
        if (remaining > 0) lost(`exit code ${code}`)
      })
      feed()
    }
    for (let i = 0; i < threads; i++) start()
  })
}
