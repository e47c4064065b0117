/**
 * `footprint ingest` over any number of files in memory that does not grow with them. The promise is
 * the same as ingestDocuments': if any file is refused, nothing at all is written. A first pass reads
 * and checks every file a batch at a time, keeping only what the check needs (refusals, which files
 * hold <fileDetails>, the reportIds named and held); a second pass reads them again a batch at a time
 * and stores each batch in its own transaction, reports before the <fileDetails> naming them.
 */
import type { Actor } from '../access/model.js'
import type { Db } from '../platform/db.js'
import { type ReadOptions, readDocuments } from './documents.js'
import { refuseUnknownReportIds } from './file-details.js'
import type { RefusalError } from './model.js'
import { DEFAULT_BATCH_SIZE } from './service.js'
import type { IngestOutcome, StoreOptions } from './store.js'
import { storeRun } from './store-run.js'

/** A file to ingest, read only when it is needed (twice: to check, then to store). */
export interface DocumentSource {
  fileName: string
  load(): Promise<Buffer>
}

export interface FileIngestOptions extends StoreOptions, ReadOptions {
  batchSize?: number
  onChecked?: (done: number, total: number) => void
  /** Called after each committed batch with its outcomes. */
  onStored?: (outcomes: IngestOutcome[], done: number, total: number) => void
}

/** A file that read differently when stored than when checked (changed on disk meanwhile). */
export class ChangedWhileIngestingError extends Error {
  constructor(
    readonly refusal: RefusalError,
    readonly storedBefore: number,
  ) {
    super(
      `a file changed while it was being ingested and was refused the second time it was read (${refusal.message}); ` +
        `${storedBefore} document(s) of this run were stored before it, and running it again stores the rest`,
    )
    this.name = 'ChangedWhileIngestingError'
  }
}

async function readPart(sources: readonly DocumentSource[], options: ReadOptions) {
  const incoming = await Promise.all(
    sources.map(async (source) => ({ fileName: source.fileName, body: await source.load() })),
  )
  return readDocuments(incoming, options)
}

/** Pass 1: every refusal of the run, and which sources hold <fileDetails> (stored last). */
async function checkSources(
  db: Db,
  sources: readonly DocumentSource[],
  size: number,
  options: FileIngestOptions,
): Promise<{ refusals: RefusalError[]; holdsDetails: boolean[] }> {
  const refusals: RefusalError[] = []
  const holdsDetails = sources.map(() => false)
  const inRun = new Set<string>()
  const named: { reportId: string; fileName: string }[] = []
  for (let start = 0; start < sources.length; start += size) {
    const part = sources.slice(start, start + size)
    const { read, refusals: refused } = await readPart(part, options)
    refusals.push(...refused)
    // Nothing is stored once anything is refused; otherwise each file gave one document, in order (by
    // position, not by name: the same file can be named twice).
    for (const [i, document] of refusals.length > 0 ? [] : read.entries()) {
      for (const r of document.referrals)
        if (r.referral.sourceReference !== null) inRun.add(r.referral.sourceReference)
      if (document.fileDetails.length === 0) continue
      holdsDetails[start + i] = true
      for (const d of document.fileDetails)
        named.push({ reportId: d.details.reportId, fileName: document.fileName })
    }
    options.onChecked?.(Math.min(start + size, sources.length), sources.length)
  }
  if (refusals.length === 0) refusals.push(...(await refuseUnknownReportIds(db, named, inRun)))
  return { refusals, holdsDetails }
}

export async function ingestFiles(
  db: Db,
  actor: Actor,
  sources: readonly DocumentSource[],
  options: FileIngestOptions = {},
): Promise<{ refusals: RefusalError[] }> {
  const size = Math.max(1, options.batchSize ?? DEFAULT_BATCH_SIZE)
  const { refusals, holdsDetails } = await checkSources(db, sources, size, options)
  if (refusals.length > 0) return { refusals }
  const ordered = [
    ...sources.filter((_, i) => !holdsDetails[i]),
    ...sources.filter((_, i) => holdsDetails[i]),
  ]
  // Each part is read while the ones before it are stored (storeRun keeps the order that matters).
  let changed: RefusalError | null = null
  async function* parts() {
    for (let start = 0; start < ordered.length; start += size) {
      const { read, refusals: refused } = await readPart(ordered.slice(start, start + size), options)
      if (refused.length > 0) {
        changed = refused[0]!
        return
      }
      yield read
    }
  }
  let done = 0
  await storeRun(db, actor, parts(), {
    ...options,
    onStored: (outcomes, batch) => {
      done += batch.length
      options.onStored?.(outcomes, done, ordered.length)
    },
  })
  // Every batch read before the changed file has been stored (or the run failed and said so).
  if (changed) throw new ChangedWhileIngestingError(changed, done)
  return { refusals: [] }
}
