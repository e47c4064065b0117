/**
 * The one shape every hash-list reader yields and every writer takes. Readers validate and normalise
 * (lower-case hex, UK category) so the import service only stores; a reader refuses bad input with a
 * HashListError naming the line or record and the field, never with a generic exception.
 */

export type HashAlgorithm = 'md5' | 'sha1' | 'pdq'

/**
 * UK IIOC categories (Sentencing Council, from April 2014; formats.md §3) plus the two non-graded
 * buckets. Other schemes (NCMEC A1..B2, Project VIC US codes) do not map losslessly onto these, so a
 * reader keeps the source's own code in `sourceCategory`.
 */
export type UkCategory = 'A' | 'B' | 'C' | 'not_indecent' | 'uncategorised'

export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['md5', 'sha1', 'pdq']
export const UK_CATEGORIES: readonly UkCategory[] = ['A', 'B', 'C', 'not_indecent', 'uncategorised']

/** Hex digits per algorithm: MD5 128 bits, SHA-1 160, PDQ 256 (formats.md §4.2). */
export const HASH_HEX_LENGTH: Readonly<Record<HashAlgorithm, number>> = { md5: 32, sha1: 40, pdq: 64 }

/** 1-based line number for line formats, 1-based record index for structured ones (VICS Media, XML). */
export interface HashListLocation {
  line?: number
  record?: number
}

export interface HashListEntry {
  algorithm: HashAlgorithm
  /** Lower-case hex. */
  value: string
  category: UkCategory
  series: string | null
  victimIdentified: boolean | null
  /** The source's own reference for the item (VICS MediaID, NCMEC member/id, a CSV column...). */
  sourceReference: string | null
  /** PDQ quality 0..100 when the list gives it. */
  quality: number | null
  /** The category code as the source wrote it, with its scheme: `UK:3`, `US:0`, `NCMEC:A1`; null if none. */
  sourceCategory: string | null
  location: HashListLocation
}

export interface HashListErrorDetails {
  line?: number
  record?: number
  field?: string
}

export class HashListError extends Error {
  readonly line?: number
  readonly record?: number
  readonly field?: string

  constructor(message: string, details: HashListErrorDetails = {}) {
    const where = [
      details.line === undefined ? null : `line ${details.line}`,
      details.record === undefined ? null : `record ${details.record}`,
      details.field === undefined ? null : `field ${details.field}`,
    ].filter((part) => part !== null)
    super(where.length > 0 ? `${where.join(', ')}: ${message}` : message)
    this.name = 'HashListError'
    if (details.line !== undefined) this.line = details.line
    if (details.record !== undefined) this.record = details.record
    if (details.field !== undefined) this.field = details.field
  }
}

const HEX = /^[0-9a-fA-F]+$/

/** Validates length and digits for the algorithm and returns lower-case hex. */
export function normaliseHashValue(
  algorithm: HashAlgorithm,
  raw: string,
  where: HashListErrorDetails,
): string {
  const value = raw.trim()
  const expected = HASH_HEX_LENGTH[algorithm]
  if (value.length !== expected || !HEX.test(value)) {
    throw new HashListError(
      `${algorithm} must be ${expected} hex digits, got ${JSON.stringify(value.slice(0, 80))}`,
      where,
    )
  }
  return value.toLowerCase()
}

export function parseAlgorithm(raw: string, where: HashListErrorDetails): HashAlgorithm {
  const name = raw.trim().toLowerCase().replace('-', '')
  if (name === 'md5' || name === 'sha1' || name === 'pdq') return name
  throw new HashListError(`unknown algorithm ${JSON.stringify(raw.slice(0, 40))} (md5, sha1 or pdq)`, where)
}

export function parseUkCategory(raw: string, where: HashListErrorDetails): UkCategory {
  const name = raw.trim()
  if (name === '') return 'uncategorised'
  const upper = name.toUpperCase()
  if (upper === 'A' || upper === 'B' || upper === 'C') return upper
  const lower = name.toLowerCase().replaceAll('-', '_').replaceAll(' ', '_')
  if (lower === 'not_indecent' || lower === 'uncategorised') return lower
  throw new HashListError(
    `unknown category ${JSON.stringify(raw.slice(0, 40))} (A, B, C, not_indecent, uncategorised)`,
    where,
  )
}

/** PDQ quality: an integer 0..100. */
export function parseQuality(raw: string, where: HashListErrorDetails): number {
  const text = raw.trim()
  if (!/^\d{1,3}$/.test(text) || Number(text) > 100) {
    throw new HashListError(
      `quality must be an integer 0..100, got ${JSON.stringify(text.slice(0, 20))}`,
      where,
    )
  }
  return Number(text)
}

/** true/false in the spellings lists use; empty means unknown (null). */
export function parseFlag(raw: string, where: HashListErrorDetails): boolean | null {
  const text = raw.trim().toLowerCase()
  if (text === '') return null
  if (text === 'true' || text === 'yes' || text === '1') return true
  if (text === 'false' || text === 'no' || text === '0') return false
  throw new HashListError(`expected true or false, got ${JSON.stringify(raw.slice(0, 20))}`, where)
}

/** Defaults shared by readers for fields their format does not carry. */
export function blankEntry(
  algorithm: HashAlgorithm,
  value: string,
  location: HashListLocation,
): HashListEntry {
  return {
    algorithm,
    value,
    category: 'uncategorised',
    series: null,
    victimIdentified: null,
    sourceReference: null,
    quality: null,
    sourceCategory: null,
    location,
  }
}
