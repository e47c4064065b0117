/**
 * NCMEC Hash Sharing API v2 `queryResult` pages (formats.md §4.1). A page holds at most a few thousand
 * entries, so it is read whole (bounded) and parsed with fast-xml-parser; the streaming part is the
 * caller fetching page after page. DOCTYPE and ENTITY declarations are refused before parsing: the API
 * never sends them and they are the XXE / entity-expansion vector.
 *
 * Each image/video yields one entry per MD5, SHA1 or PDQ fingerprint; PhotoDNA and the video
 * fingerprints (TMK+PDQF, Videntifier...) are not ours to match. Deletions (`deletedImage`,
 * `deletedVideo`) are tombstones, returned separately by `parseNcmecQueryResult`.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser'
import {
  blankEntry,
  type HashAlgorithm,
  type HashListEntry,
  HashListError,
  normaliseHashValue,
  type UkCategory,
} from './hash-list-entry.js'
import { type HashListSource, readAllText } from './text-source.js'

export interface NcmecReadOptions {
  /**
   * NCMEC classification (A1, A2, B1, B2: age group x act type) to UK category. Empty by default: the
   * schemes classify different things and there is no lossless mapping (formats.md §3), so entries
   * import as 'uncategorised' with `sourceCategory` `NCMEC:A1`.
   */
  classificationMapping?: Readonly<Record<string, UkCategory>>
  /** Largest page accepted, in characters (default 64 MiB). */
  maxLength?: number
}

export interface NcmecDeletion {
  kind: 'image' | 'video'
  memberId: string | null
  id: string
  timestamp: string | null
  record: number
}

export interface NcmecQueryResult {
  entries: HashListEntry[]
  deletions: NcmecDeletion[]
  /** The `paging/next` path, or null on the last page. */
  next: string | null
  /** Largest `maxTimestamp` of the images/videos sections, for the sync checkpoint. */
  maxTimestamp: string | null
}

type XmlNode = { [key: string]: XmlValue }
type XmlValue = string | XmlNode | XmlValue[]

const REPEATED = new Set(['image', 'video', 'deletedImage', 'deletedVideo'])
const FINGERPRINTS: ReadonlyArray<readonly [string, HashAlgorithm]> = [
  ['md5', 'md5'],
  ['sha1', 'sha1'],
  ['pdq', 'pdq'],
]

export async function* readNcmecHashSharing(
  source: HashListSource,
  options: NcmecReadOptions = {},
): AsyncGenerator<HashListEntry> {
  const xml = await readAllText(source, options.maxLength ?? 64 << 20)
  yield* parseNcmecQueryResult(xml, options).entries
}

function node(value: XmlValue | undefined): XmlNode | null {
  return value !== undefined && typeof value === 'object' && !Array.isArray(value) ? value : null
}

/** Element text whether or not the element has attributes (`<member id="42">Name</member>`). */
function textOf(value: XmlValue | undefined): string | null {
  if (typeof value === 'string') return value.trim()
  const element = node(value)
  const text = element?.['#text']
  return typeof text === 'string' ? text.trim() : element ? '' : null
}

function attribute(value: XmlValue | undefined, name: string): string | null {
  const text = node(value)?.[`@_${name}`]
  return typeof text === 'string' ? text : null
}

export function parseNcmecQueryResult(xml: string, options: NcmecReadOptions = {}): NcmecQueryResult {
  const declaration = /<!\s*(DOCTYPE|ENTITY)/i.exec(xml)
  if (declaration) {
    const line = xml.slice(0, declaration.index).split('\n').length
    throw new HashListError(`${declaration[1]!.toUpperCase()} declarations are not accepted`, {
      line,
      field: declaration[1]!.toUpperCase(),
    })
  }
  let valid: ReturnType<typeof XMLValidator.validate>
  try {
    valid = XMLValidator.validate(xml)
  } catch (error) {
    throw new HashListError(`invalid XML: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (valid !== true) throw new HashListError(`invalid XML: ${valid.err.msg}`, { line: valid.err.line })
  const parser = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '@_',
    removeNSPrefix: true,
    parseTagValue: false,
    parseAttributeValue: false,
    processEntities: true,
    isArray: (name) => REPEATED.has(name),
  })
  let document: XmlNode
  try {
    document = parser.parse(xml) as XmlNode
  } catch (error) {
    // The validator passed, so this is a parser limit or edge case; still the document's fault.
    throw new HashListError(`invalid XML: ${error instanceof Error ? error.message : String(error)}`)
  }
  const root = node(document.queryResult)
  if (root === null) {
    if ('queryResult' in document) return { entries: [], deletions: [], next: null, maxTimestamp: null }
    throw new HashListError('not an NCMEC queryResult document', { field: 'queryResult' })
  }
  const mapping = options.classificationMapping ?? {}
  const result: NcmecQueryResult = {
    entries: [],
    deletions: [],
    next: textOf(node(root.paging)?.next) || null,
    maxTimestamp: null,
  }
  let record = 0
  for (const [section, kind] of [
    ['images', 'image'],
    ['videos', 'video'],
  ] as const) {
    const group = node(root[section])
    if (group === null) continue
    const stamp = attribute(group, 'maxTimestamp')
    if (stamp !== null && (result.maxTimestamp === null || stamp > result.maxTimestamp))
      result.maxTimestamp = stamp
    for (const item of (group[kind] ?? []) as XmlValue[]) {
      record++
      const entry = node(item) ?? {}
      const id = textOf(entry.id)
      if (!id) throw new HashListError(`${kind} has no id`, { record, field: 'id' })
      const memberId = attribute(entry.member, 'id')
      const fingerprints = node(entry.fingerprints)
      if (fingerprints === null)
        throw new HashListError(`${kind} has no fingerprints`, { record, field: 'fingerprints' })
      const classification = textOf(entry.classification) || null
      for (const [element, algorithm] of FINGERPRINTS) {
        const raw = textOf(fingerprints[element])
        if (raw === null) continue
        const hash = blankEntry(algorithm, normaliseHashValue(algorithm, raw, { record, field: element }), {
          record,
        })
        hash.sourceReference = memberId === null ? id : `${memberId}/${id}`
        if (classification !== null) {
          hash.category = mapping[classification] ?? 'uncategorised'
          hash.sourceCategory = `NCMEC:${classification}`
        }
        result.entries.push(hash)
      }
    }
    const deletedKey = kind === 'image' ? 'deletedImage' : 'deletedVideo'
    for (const item of (group[deletedKey] ?? []) as XmlValue[]) {
      record++
      const deleted = node(item) ?? {}
      const id = textOf(deleted.id)
      if (!id) throw new HashListError(`${deletedKey} has no id`, { record, field: 'id' })
      result.deletions.push({
        kind,
        memberId: attribute(deleted.member, 'id'),
        id,
        timestamp: textOf(deleted.timestamp),
        record,
      })
    }
  }
  return result
}
