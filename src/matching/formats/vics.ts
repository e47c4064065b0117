/**
 * Streaming reader for Project VIC VICS JSON (formats.md §2): v1.x (`odata.metadata`) and v2.0
 * (`@odata.context` naming the Default/US/UK/CUSTOM profile), both `#Media` hash sets (value = Media[])
 * and `#Cases` exports (value = Case[], each with Media[]). Only one Media object is in memory at a
 * time; MediaFiles/MediaMetadata/Exifs are skipped unread. Each Media yields one entry per distinct
 * hash (MD5, SHA1, and MD5/SHA1/PDQ AlternativeHashes); SHA256 and PhotoDNA are not ours to match.
 */
import {
  type HashAlgorithm,
  type HashListEntry,
  HashListError,
  type HashListErrorDetails,
  normaliseHashValue,
  parseFlag,
} from './hash-list-entry.js'
import { JsonNumber, type JsonToken, JsonTokenCursor, type JsonValue, readJsonValue } from './json-tokens.js'
import { type HashListSource, textChunks } from './text-source.js'
import {
  DEFAULT_VICS_CATEGORY_MAPPING,
  type VicsCategoryMapping,
  vicsCodeToCategory,
} from './vics-categories.js'

export interface VicsReadOptions {
  categoryMapping?: VicsCategoryMapping
}

export interface VicsContext {
  version: string
  /** 'Default' for 1.x files, which name no profile. */
  profile: string
  kind: 'Media' | 'Cases'
}

const V1 = /DataModels\/(1\.\d+)\.xml#(Media|Cases)\b/
const V2 = /DataModels\/(2\.\d+)\.xml\/([^/]+)\/\$metadata#(Media|Cases)\b/
const SKIPPED_MEDIA_KEYS = new Set(['MediaFiles', 'MediaMetadata', 'Exifs'])

export function parseVicsContext(url: string, line: number): VicsContext {
  const v2 = V2.exec(url)
  if (v2) return { version: v2[1]!, profile: decodeURIComponent(v2[2]!), kind: v2[3] as VicsContext['kind'] }
  const v1 = V1.exec(url)
  if (v1) return { version: v1[1]!, profile: 'Default', kind: v1[2] as VicsContext['kind'] }
  throw new HashListError(`unrecognised VICS context ${JSON.stringify(url.slice(0, 200))}`, {
    line,
    field: '@odata.context',
  })
}

export async function* readVics(
  source: HashListSource,
  options: VicsReadOptions = {},
): AsyncGenerator<HashListEntry> {
  const mapping = options.categoryMapping ?? DEFAULT_VICS_CATEGORY_MAPPING
  const cursor = new JsonTokenCursor(textChunks(source))
  const root = await cursor.take()
  if (root.kind !== 'begin-object')
    throw new HashListError('a VICS file is a JSON object', { line: root.line })
  let context: VicsContext | null = null
  let record = 0
  const media = async function* (first: JsonToken): AsyncGenerator<HashListEntry> {
    record++
    if (first.kind !== 'begin-object')
      throw new HashListError('a Media item must be an object', { line: first.line, record })
    const value = (await readJsonValue(cursor, first, SKIPPED_MEDIA_KEYS)) as Record<string, JsonValue>
    yield* mediaEntries(value, context!, mapping, record)
  }
  for (let token = await cursor.take(); token.kind === 'key'; token = await cursor.take()) {
    const valueToken = await cursor.take()
    if (token.value === 'odata.metadata' || token.value === '@odata.context') {
      if (valueToken.kind !== 'string')
        throw new HashListError('context must be a string', { line: token.line, field: token.value })
      context = parseVicsContext(valueToken.value, valueToken.line)
    } else if (token.value === 'value') {
      if (context === null) {
        throw new HashListError('the @odata.context (or odata.metadata) key must come before value', {
          line: token.line,
          field: '@odata.context',
        })
      }
      if (valueToken.kind !== 'begin-array')
        throw new HashListError('value must be an array', { line: token.line, field: 'value' })
      for (let item = await cursor.take(); item.kind !== 'end-array'; item = await cursor.take()) {
        if (context.kind === 'Media') yield* media(item)
        else yield* caseMedia(cursor, item, media)
      }
    } else {
      await cursor.skip(valueToken)
    }
  }
  if (context === null)
    throw new HashListError('no @odata.context (or odata.metadata) key', { field: '@odata.context' })
  await cursor.next()
}

async function* caseMedia(
  cursor: JsonTokenCursor,
  first: JsonToken,
  media: (first: JsonToken) => AsyncGenerator<HashListEntry>,
): AsyncGenerator<HashListEntry> {
  if (first.kind !== 'begin-object') throw new HashListError('a Case must be an object', { line: first.line })
  for (let token = await cursor.take(); token.kind === 'key'; token = await cursor.take()) {
    const valueToken = await cursor.take()
    if (token.value !== 'Media') {
      await cursor.skip(valueToken)
      continue
    }
    if (valueToken.kind !== 'begin-array')
      throw new HashListError('Media must be an array', { line: token.line, field: 'Media' })
    for (let item = await cursor.take(); item.kind !== 'end-array'; item = await cursor.take())
      yield* media(item)
  }
}

function text(value: JsonValue | undefined, where: HashListErrorDetails): string | null {
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return value
  if (value instanceof JsonNumber) return value.text
  throw new HashListError('expected a string', where)
}

function mediaEntries(
  media: Record<string, JsonValue>,
  context: VicsContext,
  mapping: VicsCategoryMapping,
  record: number,
): HashListEntry[] {
  const hashes: Array<[HashAlgorithm, string]> = []
  const addHash = (algorithm: HashAlgorithm, raw: JsonValue | undefined, field: string): void => {
    const value = text(raw, { record, field })
    if (value === null || value === '') return
    const normalised = normaliseHashValue(algorithm, value, { record, field })
    if (!hashes.some(([a, v]) => a === algorithm && v === normalised)) hashes.push([algorithm, normalised])
  }
  addHash('md5', media.MD5, 'MD5')
  addHash('sha1', media.SHA1, 'SHA1')
  const alternatives = media.AlternativeHashes
  if (alternatives !== undefined && alternatives !== null) {
    if (!Array.isArray(alternatives))
      throw new HashListError('expected an array', { record, field: 'AlternativeHashes' })
    for (const alternative of alternatives) {
      if (
        alternative === null ||
        typeof alternative !== 'object' ||
        Array.isArray(alternative) ||
        alternative instanceof JsonNumber
      ) {
        throw new HashListError('expected an object', { record, field: 'AlternativeHashes' })
      }
      const name = (
        text(alternative.HashName, { record, field: 'AlternativeHashes.HashName' }) ?? ''
      ).toLowerCase()
      if (name === 'md5' || name === 'sha1' || name === 'pdq')
        addHash(name, alternative.HashValue, 'AlternativeHashes.HashValue')
    }
  }
  if (hashes.length === 0)
    throw new HashListError('Media has no MD5, SHA1 or PDQ hash', { record, field: 'MD5' })

  const code = categoryCode(media.Category, record)
  const mediaId = text(media.MediaID, { record, field: 'MediaID' })
  if (mediaId !== null && !/^-?\d+$/.test(mediaId))
    throw new HashListError('MediaID must be an integer', { record, field: 'MediaID' })
  const flag = media.VictimIdentified
  let victimIdentified: boolean | null
  if (typeof flag === 'boolean' || flag === null || flag === undefined) victimIdentified = flag ?? null
  else if (typeof flag === 'string') victimIdentified = parseFlag(flag, { record, field: 'VictimIdentified' })
  else throw new HashListError('expected true or false', { record, field: 'VictimIdentified' })
  const series = text(media.Series, { record, field: 'Series' })

  return hashes.map(([algorithm, value]) => ({
    algorithm,
    value,
    category: code === null ? 'uncategorised' : vicsCodeToCategory(mapping, context.profile, code),
    series: series === '' ? null : series,
    victimIdentified,
    sourceReference: mediaId,
    quality: null,
    sourceCategory: code === null ? null : `${context.profile}:${code}`,
    location: { record },
  }))
}

/** Category: an integer (number or digit string), null or absent. */
function categoryCode(value: JsonValue | undefined, record: number): string | null {
  if (value === undefined || value === null) return null
  const raw = value instanceof JsonNumber ? value.text : typeof value === 'string' ? value.trim() : null
  if (raw === null || !/^\d+$/.test(raw))
    throw new HashListError('Category must be an integer or null', { record, field: 'Category' })
  return raw.replace(/^0+(?=\d)/, '')
}
