/**
 * CSV hash lists with a header row. Columns (names case-insensitive, any order):
 *
 * | column | required | content |
 * |---|---|---|
 * | `algorithm` | yes | md5, sha1 or pdq |
 * | `value` | yes | the hash in hex, either case |
 * | `category` | no | A, B, C, not_indecent or uncategorised (empty = uncategorised) |
 * | `series` | no | free text, empty = none |
 * | `victim_identified` | no | true/false/yes/no/1/0, empty = unknown |
 * | `source_reference` | no | the source's id for the item |
 * | `quality` | no | PDQ quality 0..100 |
 * | `source_category` | no | the source's own category code, e.g. `NCMEC:A1` |
 *
 * Unknown columns are refused, so a misspelt `catgory` cannot silently import everything as
 * uncategorised. Parsing is csv-parse in streaming mode (RFC 4180 quoting, optional BOM).
 */
import { Readable } from 'node:stream'
import { parse } from 'csv-parse'
import {
  blankEntry,
  type HashListEntry,
  HashListError,
  normaliseHashValue,
  parseAlgorithm,
  parseFlag,
  parseQuality,
  parseUkCategory,
} from './hash-list-entry.js'
import { type HashListSource, textChunks } from './text-source.js'

export const HASH_CSV_COLUMNS = [
  'algorithm',
  'value',
  'category',
  'series',
  'victim_identified',
  'source_reference',
  'quality',
  'source_category',
] as const

type Column = (typeof HASH_CSV_COLUMNS)[number]

interface ParsedRow {
  record: string[]
  info: { lines: number }
}

export async function* readHashCsv(source: HashListSource): AsyncGenerator<HashListEntry> {
  const parser = Readable.from(textChunks(source)).pipe(
    parse({ bom: true, info: true, skip_empty_lines: true, relax_column_count: false }),
  )
  let columns: Map<Column, number> | null = null
  try {
    for await (const row of parser as AsyncIterable<ParsedRow>) {
      const line = row.info.lines
      if (columns === null) {
        columns = headerColumns(row.record, line)
        continue
      }
      yield rowEntry(row.record, columns, line)
    }
  } catch (error) {
    if (error instanceof HashListError) throw error
    const csvError = error as { message?: string; lines?: number }
    throw new HashListError(`invalid CSV: ${csvError.message ?? String(error)}`, { line: csvError.lines })
  }
  if (columns === null) throw new HashListError('no header row', { line: 1 })
}

function headerColumns(names: string[], line: number): Map<Column, number> {
  const columns = new Map<Column, number>()
  names.forEach((raw, index) => {
    const name = raw.trim().toLowerCase() as Column
    if (!HASH_CSV_COLUMNS.includes(name))
      throw new HashListError(`unknown column ${JSON.stringify(raw)}`, { line, field: raw })
    if (columns.has(name)) throw new HashListError(`column ${name} appears twice`, { line, field: name })
    columns.set(name, index)
  })
  for (const required of ['algorithm', 'value'] as const) {
    if (!columns.has(required))
      throw new HashListError(`missing column ${required}`, { line, field: required })
  }
  return columns
}

function rowEntry(fields: string[], columns: Map<Column, number>, line: number): HashListEntry {
  const cell = (column: Column): string => {
    const index = columns.get(column)
    return index === undefined ? '' : (fields[index] ?? '')
  }
  const algorithm = parseAlgorithm(cell('algorithm'), { line, field: 'algorithm' })
  const entry = blankEntry(
    algorithm,
    normaliseHashValue(algorithm, cell('value'), { line, field: 'value' }),
    { line },
  )
  entry.category = parseUkCategory(cell('category'), { line, field: 'category' })
  entry.series = cell('series') === '' ? null : cell('series')
  entry.victimIdentified = parseFlag(cell('victim_identified'), { line, field: 'victim_identified' })
  entry.sourceReference = cell('source_reference') === '' ? null : cell('source_reference')
  entry.quality =
    cell('quality').trim() === '' ? null : parseQuality(cell('quality'), { line, field: 'quality' })
  entry.sourceCategory = cell('source_category') === '' ? null : cell('source_category')
  return entry
}

function csvField(value: string): string {
  return /[",\r\n]|^\s|\s$/.test(value) ? `"${value.replaceAll('"', '""')}"` : value
}

export async function* writeHashCsv(
  entries: AsyncIterable<HashListEntry> | Iterable<HashListEntry>,
): AsyncGenerator<string> {
  yield `${HASH_CSV_COLUMNS.join(',')}\n`
  let record = 0
  for await (const entry of entries) {
    record++
    const row = [
      entry.algorithm,
      normaliseHashValue(entry.algorithm, entry.value, { record, field: 'value' }),
      entry.category,
      entry.series ?? '',
      entry.victimIdentified === null ? '' : String(entry.victimIdentified),
      entry.sourceReference ?? '',
      entry.quality === null ? '' : String(entry.quality),
      entry.sourceCategory ?? '',
    ]
    yield `${row.map(csvField).join(',')}\n`
  }
}
