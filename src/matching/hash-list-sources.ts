import { readFile } from 'node:fs/promises'
import type { HashListFormat } from '../platform/schema.js'
import { readHashCsv } from './formats/hash-csv.js'
import { type HashListEntry, HashListError, type UkCategory } from './formats/hash-list-entry.js'
import { readNcmecHashSharing } from './formats/ncmec-xml.js'
import { readPdqText } from './formats/pdq-text.js'
import { type HashListSource, textLines } from './formats/text-source.js'
import { readVics } from './formats/vics.js'
import { DEFAULT_VICS_CATEGORY_MAPPING, type VicsCategoryMapping } from './formats/vics-categories.js'

export const HASH_LIST_FORMATS: readonly HashListFormat[] = ['vics', 'pdq', 'ncmec', 'csv']
/** Formats a bad line can be skipped in: one entry per line, so the next line is a fresh start. */
export const PARTIAL_FORMATS: readonly HashListFormat[] = ['pdq', 'csv']

export interface ReadOptions {
  /** VICS: read Category codes with this profile's table, whatever profile the file names. */
  profile?: string | undefined
  /** VICS: profile -> code -> category (JSON file from --category-map); defaults otherwise. */
  categoryMapping?: VicsCategoryMapping | undefined
  /** PDQ text: the category and series of every entry (a plain PDQ list carries neither). */
  category?: UkCategory | undefined
  series?: string | undefined
}

export interface Rejection {
  line: number
  field: string | null
  error: string
  text: string
}

function vicsMapping(options: ReadOptions): VicsCategoryMapping {
  const mapping = options.categoryMapping ?? DEFAULT_VICS_CATEGORY_MAPPING
  const profile = options.profile
  if (profile === undefined) return mapping
  const table = mapping[profile]
  if (!table) throw new HashListError(`no category table for VICS profile ${JSON.stringify(profile)}`)
  // Every profile the file may name reads through the chosen table.
  return new Proxy(mapping, { get: () => table })
}

/** The reader for a format: all-or-nothing, the first bad line or record ends the read with its error. */
export function readHashList(
  format: HashListFormat,
  source: HashListSource,
  options: ReadOptions = {},
): AsyncGenerator<HashListEntry> {
  switch (format) {
    case 'vics':
      return readVics(source, { categoryMapping: vicsMapping(options) })
    case 'pdq':
      return readPdqText(source, { category: options.category, series: options.series ?? null })
    case 'ncmec':
      return readNcmecHashSharing(source)
    case 'csv':
      return readHashCsv(source)
  }
}

/** Text in memory as a source (a plain string source is a file path). */
export async function* inMemory(text: string): AsyncGenerator<string> {
  yield text
}

/** The message without the reader's "line 1, field x: " prefix, which is wrong for a lone line. */
function bareMessage(error: HashListError): string {
  const hasPrefix = error.line !== undefined || error.record !== undefined || error.field !== undefined
  return hasPrefix ? error.message.slice(error.message.indexOf(': ') + 2) : error.message
}

/**
 * Partial mode: each line is read on its own, so a bad line is handed to `reject` and reading goes
 * on. CSV lines are read under the file's header; a quoted field spanning lines is not supported
 * here (it is rejected), which the all-or-nothing reader does handle.
 */
export async function* readHashListPartially(
  format: HashListFormat,
  path: string,
  options: ReadOptions,
  reject: (rejection: Rejection) => Promise<void>,
): AsyncGenerator<HashListEntry> {
  if (!PARTIAL_FORMATS.includes(format)) {
    throw new HashListError(
      `partial mode is for line formats (${PARTIAL_FORMATS.join(', ')}); a ${format} file is all or nothing`,
    )
  }
  let header: string | null = null
  for await (const { line, text } of textLines(path)) {
    if (text.trim() === '') continue
    if (format === 'csv' && header === null) {
      // A bad header makes every line unreadable: that is fatal, not a rejection.
      header = text
      for await (const entry of readHashCsv(inMemory(`${header}\n`))) void entry
      continue
    }
    if (format === 'pdq' && text.trim().startsWith('#')) continue
    try {
      const lone = format === 'csv' ? `${header}\n${text}\n` : `${text}\n`
      for await (const entry of readHashList(format, inMemory(lone), options)) {
        entry.location = { line }
        yield entry
      }
    } catch (error) {
      if (!(error instanceof HashListError)) throw error
      await reject({ line, field: error.field ?? null, error: bareMessage(error), text })
    }
  }
}

/** Reads a --category-map file: { "UK": { "1": "A", "2": "B", ... }, ... }. */
export async function readCategoryMapping(path: string): Promise<VicsCategoryMapping> {
  const parsed: unknown = JSON.parse(await readFile(path, 'utf8'))
  const categories = ['A', 'B', 'C', 'not_indecent', 'uncategorised']
  const valid =
    typeof parsed === 'object' &&
    parsed !== null &&
    Object.values(parsed).every(
      (table) =>
        typeof table === 'object' &&
        table !== null &&
        Object.values(table).every((c) => typeof c === 'string' && categories.includes(c)),
    )
  if (!valid) throw new Error(`${path}: expected {"PROFILE": {"CODE": "A|B|C|not_indecent|uncategorised"}}`)
  return parsed as VicsCategoryMapping
}
