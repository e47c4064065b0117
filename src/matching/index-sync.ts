import type { Queryable } from '../platform/db.js'
import {
  changesSince,
  type LibraryChange,
  latestChangeSeq,
  livePdqEntriesOfSet,
  livePdqPage,
  type PdqEntry,
  pdqEntriesOfChange,
} from './library-repo.js'
import { hexToWords, PDQ_WORDS } from './pdq-hash.js'
import { PdqIndex } from './pdq-index.js'

const BUILD_PAGE = 50_000

export interface LibraryIndexStats {
  /** Builds from the whole library: one at start; a change never causes another. */
  fullBuilds: number
  changesApplied: number
  /** The last change-log sequence applied. */
  seq: string
  entries: number
}

/**
 * This process's PDQ index of the library: built once from Postgres, then kept current by replaying
 * the change log (hash_library_changes) from the last sequence applied. Each change names the entries
 * it added or removed, so applying it touches only those. Callers `sync()` before matching, so a
 * match always sees every change committed before it started, whichever process made it.
 */
export class LibraryPdqIndex {
  private index: PdqIndex = PdqIndex.empty()
  private seq = '0'
  private built = false
  private fullBuilds = 0
  private changesApplied = 0
  // Syncs run one at a time: two concurrent replays would apply a change twice.
  private queue: Promise<void> = Promise.resolve()

  constructor(
    private readonly db: Queryable,
    private readonly qualityFloor: number,
  ) {}

  get stats(): LibraryIndexStats {
    return {
      fullBuilds: this.fullBuilds,
      changesApplied: this.changesApplied,
      seq: this.seq,
      entries: this.index.size,
    }
  }

  /** The index, current with the log as of this call. */
  async current(): Promise<PdqIndex> {
    const run = this.queue.then(() => (this.built ? this.applyChanges() : this.build()))
    // A failed sync must not wedge later ones; the next call retries from the same sequence.
    this.queue = run.catch(() => undefined)
    await run
    return this.index
  }

  private indexable(entry: PdqEntry): boolean {
    return entry.quality === null || entry.quality >= this.qualityFloor
  }

  private async build(): Promise<void> {
    // The sequence is read first: a change committed during the build is replayed after it, and
    // replaying an add the build already saw only duplicates an id, which queries report once.
    const seq = await latestChangeSeq(this.db)
    let ids = new Uint32Array(1024)
    let words = new Uint32Array(ids.length * PDQ_WORDS)
    let count = 0
    for (let after = '0'; ; ) {
      const page = await livePdqPage(this.db, after, BUILD_PAGE)
      for (const entry of page) {
        if (!this.indexable(entry)) continue
        if (count === ids.length) {
          const grownIds = new Uint32Array(ids.length * 2)
          grownIds.set(ids)
          const grownWords = new Uint32Array(grownIds.length * PDQ_WORDS)
          grownWords.set(words)
          ids = grownIds
          words = grownWords
        }
        ids[count] = entryKey(entry.id)
        hexToWords(entry.value, words, count * PDQ_WORDS)
        count++
      }
      const last = page.at(-1)
      if (!last || page.length < BUILD_PAGE) break
      after = last.id
    }
    this.index = PdqIndex.build(ids.subarray(0, count), words.subarray(0, count * PDQ_WORDS))
    this.seq = seq
    this.built = true
    this.fullBuilds++
    await this.applyChanges()
  }

  private async applyChanges(): Promise<void> {
    for (const change of await changesSince(this.db, this.seq)) {
      await this.apply(change)
      this.seq = change.seq
      this.changesApplied++
    }
  }

  private async apply(change: LibraryChange): Promise<void> {
    if (change.kind === 'set_disabled') {
      for (const entry of await livePdqEntriesOfSet(this.db, change.hashSetId))
        this.index.remove(entryKey(entry.id))
      return
    }
    if (change.kind === 'set_enabled') {
      for (const entry of await livePdqEntriesOfSet(this.db, change.hashSetId)) this.add(entry)
      return
    }
    const { added, removed } = await pdqEntriesOfChange(this.db, change)
    for (const id of removed) this.index.remove(entryKey(id))
    // Entries added to a set that is disabled now are indexed when it is enabled again.
    if (added.length > 0 && (await this.setEnabled(change.hashSetId)))
      for (const entry of added) this.add(entry)
  }

  private add(entry: PdqEntry): void {
    if (this.indexable(entry)) this.index.add(entryKey(entry.id), entry.value)
  }

  private async setEnabled(hashSetId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('hash_sets')
      .select('enabled')
      .where('id', '=', hashSetId)
      .executeTakeFirst()
    return row?.enabled ?? false
  }
}

/** known_hashes ids become PdqIndex ids (uint32): 4 billion entries is far beyond any library. */
export function entryKey(id: string): number {
  const key = Number(id)
  if (!Number.isInteger(key) || key < 0 || key > 0xffffffff)
    throw new RangeError(`known hash id ${id} does not fit the index`)
  return key
}
