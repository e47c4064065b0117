import type { Actor } from '../access/model.js'
import { recordAudit } from '../audit/service.js'
import type { Db, Queryable } from '../platform/db.js'
import { NotFoundError } from '../platform/errors.js'
import type { HashListEntry } from './formats/hash-list-entry.js'
import { writePdqText } from './formats/pdq-text.js'
import type { VicsCategoryMapping } from './formats/vics-categories.js'
import { writeVics } from './formats/vics-writer.js'
import { findHashSet, liveEntriesPage } from './library-repo.js'

export type ExportFormat = 'vics' | 'pdq'

export interface HashExportRequest {
  set: string
  format: ExportFormat
  /** VICS profile written in @odata.context (default UK). */
  profile?: string | undefined
  categoryMapping?: VicsCategoryMapping | undefined
  /** Where the file goes, for the audit row. */
  destination: string
}

const PAGE = 10_000

async function* liveEntries(
  db: Queryable,
  setId: string,
  format: ExportFormat,
): AsyncGenerator<HashListEntry> {
  for (let after = '0'; ; ) {
    const page = await liveEntriesPage(db, setId, after, PAGE, format === 'pdq' ? 'pdq' : undefined)
    for (const row of page) {
      yield {
        algorithm: row.algorithm,
        value: row.value,
        category: row.category,
        series: row.series,
        victimIdentified: row.victim_identified,
        sourceReference: row.source_reference,
        quality: row.quality,
        sourceCategory: row.source_category,
        location: {},
      }
    }
    const last = page.at(-1)
    if (!last || page.length < PAGE) return
    after = last.id
  }
}

/**
 * Streams a set's live entries as VICS 2.0 #Media JSON or PDQ text (PDQ entries only) to `write`,
 * from one snapshot, and audits the export in that transaction: if writing fails, no export is
 * recorded. Returns the number of entries written.
 */
export async function exportHashSet(
  db: Db,
  actor: Actor,
  request: HashExportRequest,
  write: (chunk: string) => Promise<void>,
): Promise<number> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      const set = await findHashSet(tx, request.set)
      if (!set) throw new NotFoundError('hash set', request.set)
      let entries = 0
      const counted = async function* (source: AsyncIterable<HashListEntry>) {
        for await (const entry of source) {
          entries++
          yield entry
        }
      }
      const source = counted(liveEntries(tx, set.id, request.format))
      const chunks =
        request.format === 'pdq'
          ? writePdqText(source)
          : writeVics(source, { profile: request.profile ?? 'UK', categoryMapping: request.categoryMapping })
      for await (const chunk of chunks) await write(chunk)
      await recordAudit(tx, actor, {
        action: 'hash_set.exported',
        recordType: 'hash_set',
        recordId: set.id,
        details: {
          format: request.format,
          profile: request.profile ?? null,
          entries,
          destination: request.destination,
        },
      })
      return entries
    })
}
