/**
 * PDQ text hash lists (formats.md §4.2). One hash per line; blank lines and `#` comments are skipped.
 * Accepted line shapes, detected per line:
 *
 * | shape | source |
 * |---|---|
 * | `hash` | pdq/data needles.txt, haystack.txt |
 * | `hash,quality` | our own export, most list exchanges |
 * | `hash,filename` | C++ `pdq-photo-hasher` (filename -> sourceReference) |
 * | `hash,quality,filename` | reference CLI output with quality |
 * | `pdq hash` | python-threatexchange local file exchange (`<signal_type> <value>`) |
 * | `frame,quality,hash,timestamp` | vPDQ frame lists (each frame is a PDQ hash; `frame N @ Ts` -> sourceReference) |
 */
import {
  blankEntry,
  type HashListEntry,
  HashListError,
  normaliseHashValue,
  parseQuality,
  type UkCategory,
} from './hash-list-entry.js'
import { type HashListSource, textLines } from './text-source.js'

export interface PdqTextOptions {
  /** Category for every entry: a plain PDQ list carries none, the import says what the list is. */
  category?: UkCategory
  series?: string | null
}

const HEX64 = /^[0-9a-fA-F]{64}$/
const INTEGER = /^\d+$/

export async function* readPdqText(
  source: HashListSource,
  options: PdqTextOptions = {},
): AsyncGenerator<HashListEntry> {
  for await (const { line, text } of textLines(source)) {
    const trimmed = text.trim()
    if (trimmed === '' || trimmed.startsWith('#')) continue
    const entry = parseLine(trimmed, line)
    entry.category = options.category ?? 'uncategorised'
    entry.series = options.series ?? null
    yield entry
  }
}

function parseLine(text: string, line: number): HashListEntry {
  const typed = /^([A-Za-z_][A-Za-z0-9_]*)\s+(\S+)$/.exec(text)
  if (typed) {
    if (typed[1]!.toLowerCase() !== 'pdq') {
      throw new HashListError(`signal type ${JSON.stringify(typed[1])} is not pdq`, {
        line,
        field: 'signal_type',
      })
    }
    return blankEntry('pdq', normaliseHashValue('pdq', typed[2]!, { line, field: 'hash' }), { line })
  }
  const fields = text.split(',').map((field) => field.trim())
  if (fields.length === 4 && HEX64.test(fields[2]!) && INTEGER.test(fields[0]!)) {
    const entry = blankEntry('pdq', normaliseHashValue('pdq', fields[2]!, { line, field: 'hash' }), { line })
    entry.quality = parseQuality(fields[1]!, { line, field: 'quality' })
    entry.sourceReference = `frame ${fields[0]} @ ${fields[3]}s`
    return entry
  }
  if (fields.length > 3) throw new HashListError('too many fields', { line })
  const entry = blankEntry('pdq', normaliseHashValue('pdq', fields[0]!, { line, field: 'hash' }), { line })
  const second = fields[1]
  if (second !== undefined) {
    if (INTEGER.test(second) || fields.length === 3)
      entry.quality = parseQuality(second, { line, field: 'quality' })
    else entry.sourceReference = second
  }
  if (fields.length === 3) entry.sourceReference = fields[2] === '' ? null : fields[2]!
  return entry
}

/**
 * Writes `hash,quality` lines (`hash` alone when the quality is unknown). Only PDQ entries belong in a
 * PDQ list; anything else is refused rather than dropped silently.
 */
export async function* writePdqText(
  entries: AsyncIterable<HashListEntry> | Iterable<HashListEntry>,
): AsyncGenerator<string> {
  let record = 0
  for await (const entry of entries) {
    record++
    if (entry.algorithm !== 'pdq') {
      throw new HashListError(`cannot write a ${entry.algorithm} hash to a PDQ list`, {
        record,
        field: 'algorithm',
      })
    }
    const value = normaliseHashValue('pdq', entry.value, { record, field: 'value' })
    yield entry.quality === null ? `${value}\n` : `${value},${entry.quality}\n`
  }
}
