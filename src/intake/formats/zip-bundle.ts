/**
 * Reads a CyberTipline bundle as NCMEC delivers it: a ZIP holding the LE JSON report(s), the PDF and
 * the uploaded media. Only the JSON reports are inflated; every other entry is listed from the
 * central directory (name, sizes, CRC-32) and never extracted, so no media passes through this code.
 *
 * A bundle comes from outside, so it is treated as hostile:
 *  - zip bombs: limits on the number of entries, on the declared and the actually inflated size of
 *    each JSON entry, and on its compression ratio (inflation stops as soon as a limit is passed);
 *  - path traversal: entry names with `..` segments, absolute paths, drive letters or backslashes are
 *    refused (yauzl refuses them too; both checks stay so neither is a single point of failure).
 */
import { createHash } from 'node:crypto'
import type { Readable } from 'node:stream'
import yauzl from 'yauzl'
import { type ReferralDocument, RefusalError } from '../model.js'
import { parseLeJson } from './le-json.js'

export interface ZipLimits {
  maxEntries: number
  maxJsonReports: number
  /** Per JSON entry, declared and actual. */
  maxJsonBytes: number
  /** Inflated bytes per compressed byte for a JSON entry; real JSON stays far below 100. */
  maxCompressionRatio: number
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 10_000,
  maxJsonReports: 100,
  maxJsonBytes: 50 * 1024 * 1024,
  maxCompressionRatio: 100,
}

export type ZipEntryKind = 'report-json' | 'pdf' | 'other'

export interface ZipManifestEntry {
  name: string
  kind: ZipEntryKind
  compressedSize: number
  uncompressedSize: number
  /** CRC-32 as 8 lower-case hex digits, as the ZIP records it (not recomputed for unread media). */
  crc32: string
}

export interface ZipReport {
  entryName: string
  /** The JSON exactly as received, kept as evidence, with its SHA-256. */
  json: string
  sha256: string
  referral: ReferralDocument
}

export interface ZipBundle {
  reports: ZipReport[]
  manifest: ZipManifestEntry[]
}

/** A bundle in memory, or on disk by path (read through a file descriptor, never loaded whole). */
export type ZipSource = Uint8Array | { path: string }

export async function readZipBundle(source: ZipSource, limits: Partial<ZipLimits> = {}): Promise<ZipBundle> {
  const applied = { ...DEFAULT_ZIP_LIMITS, ...limits }
  const zip = await openZip(source)
  try {
    return await readEntries(zip, applied)
  } finally {
    zip.close()
  }
}

const YAUZL_OPTIONS: yauzl.Options = {
  lazyEntries: true,
  autoClose: false,
  decodeStrings: true,
  strictFileNames: true,
  validateEntrySizes: true,
}

function openZip(source: ZipSource): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, zip?: yauzl.ZipFile) => {
      if (error || !zip) reject(new RefusalError(`not a readable ZIP: ${error?.message ?? 'no archive'}`))
      else resolve(zip)
    }
    if ('path' in source) yauzl.open(source.path, YAUZL_OPTIONS, done)
    else
      yauzl.fromBuffer(Buffer.from(source.buffer, source.byteOffset, source.byteLength), YAUZL_OPTIONS, done)
  })
}

/** Names that could escape an extraction folder, checked on the decoded name. */
export function unsafeEntryName(name: string): string | null {
  if (name.includes('\\')) return 'contains a backslash'
  if (name.startsWith('/') || /^[A-Za-z]:/.test(name)) return 'is an absolute path'
  if (name.split('/').includes('..')) return 'contains a .. segment'
  if ([...name].some((character) => character.charCodeAt(0) < 0x20)) return 'contains control characters'
  return null
}

function kindOf(name: string): ZipEntryKind {
  const lower = name.toLowerCase()
  if (lower.endsWith('.json')) return 'report-json'
  if (lower.endsWith('.pdf')) return 'pdf'
  return 'other'
}

function readEntries(zip: yauzl.ZipFile, limits: ZipLimits): Promise<ZipBundle> {
  if (zip.entryCount > limits.maxEntries) {
    return Promise.reject(
      new RefusalError(`the ZIP lists ${zip.entryCount} entries, more than ${limits.maxEntries}`),
    )
  }
  const manifest: ZipManifestEntry[] = []
  const reports: ZipReport[] = []
  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (error: unknown) => {
      if (settled) return
      settled = true
      reject(
        error instanceof RefusalError
          ? error
          : new RefusalError(`not a readable ZIP: ${error instanceof Error ? error.message : String(error)}`),
      )
    }
    zip.on('error', fail)
    zip.on('end', () => {
      if (settled) return
      if (reports.length === 0) return fail(new RefusalError('the ZIP holds no JSON report'))
      settled = true
      resolve({ reports, manifest })
    })
    zip.on('entry', (entry: yauzl.Entry) => {
      if (settled) return
      void handleEntry(zip, entry, limits, manifest, reports).then(() => {
        if (!settled) zip.readEntry()
      }, fail)
    })
    zip.readEntry()
  })
}

async function handleEntry(
  zip: yauzl.ZipFile,
  entry: yauzl.Entry,
  limits: ZipLimits,
  manifest: ZipManifestEntry[],
  reports: ZipReport[],
): Promise<void> {
  const name = entry.fileName
  const unsafe = unsafeEntryName(name)
  if (unsafe) throw new RefusalError(`unsafe entry name: ${JSON.stringify(name)} ${unsafe}`, { record: name })
  if (manifest.length >= limits.maxEntries) {
    throw new RefusalError(`the ZIP has more than ${limits.maxEntries} entries`, { record: name })
  }
  if (name.endsWith('/')) return
  const kind = kindOf(name)
  manifest.push({
    name,
    kind,
    compressedSize: entry.compressedSize,
    uncompressedSize: entry.uncompressedSize,
    crc32: entry.crc32.toString(16).padStart(8, '0'),
  })
  if (kind !== 'report-json') return
  if (reports.length >= limits.maxJsonReports) {
    throw new RefusalError(`more than ${limits.maxJsonReports} JSON reports in one ZIP`, { record: name })
  }
  checkDeclaredSize(entry, limits)
  const bytes = await inflateBounded(zip, entry, limits)
  let json: string
  try {
    json = new TextDecoder('utf-8', { fatal: true }).decode(bytes)
  } catch {
    throw new RefusalError('the JSON report is not UTF-8 text', { file: name })
  }
  let referral: ReferralDocument
  try {
    referral = parseLeJson(json)
  } catch (error) {
    throw error instanceof RefusalError ? error.inFile(name) : error
  }
  reports.push({ entryName: name, json, sha256: createHash('sha256').update(bytes).digest('hex'), referral })
}

function checkDeclaredSize(entry: yauzl.Entry, limits: ZipLimits): void {
  const where = { file: entry.fileName }
  if (entry.isEncrypted()) throw new RefusalError('the JSON report is encrypted', where)
  if (entry.uncompressedSize > limits.maxJsonBytes) {
    throw new RefusalError(
      `the JSON report declares ${entry.uncompressedSize} bytes, more than ${limits.maxJsonBytes}`,
      where,
    )
  }
  const ratio = entry.uncompressedSize / Math.max(entry.compressedSize, 1)
  if (ratio > limits.maxCompressionRatio) {
    throw new RefusalError(
      `the JSON report declares a compression ratio of ${Math.round(ratio)}:1, more than ${limits.maxCompressionRatio}:1 (zip bomb?)`,
      where,
    )
  }
}

/**
 * Inflates one entry, counting bytes as they come and stopping at the first one past a limit: the
 * declared sizes above can lie, and yauzl's own size check only fires at the end of the stream.
 */
async function inflateBounded(zip: yauzl.ZipFile, entry: yauzl.Entry, limits: ZipLimits): Promise<Buffer> {
  const where = { file: entry.fileName }
  const ceiling = Math.min(
    limits.maxJsonBytes,
    Math.max(entry.compressedSize, 1) * limits.maxCompressionRatio,
  )
  let stream: Readable
  try {
    stream = await zip.openReadStreamPromise(entry)
  } catch (error) {
    throw new RefusalError(`the JSON report cannot be read: ${(error as Error).message}`, where)
  }
  const chunks: Buffer[] = []
  let total = 0
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      total += chunk.length
      if (total > ceiling) {
        stream.destroy()
        throw new RefusalError(
          `the JSON report inflates past ${ceiling} bytes (declared ${entry.uncompressedSize}); refused as a zip bomb`,
          where,
        )
      }
      chunks.push(chunk)
    }
  } catch (error) {
    if (error instanceof RefusalError) throw error
    const message = (error as Error).message
    // yauzl stops a stream that outgrows its declared size (validateEntrySizes) before our count does.
    if (/too many bytes/.test(message)) {
      throw new RefusalError(
        `the JSON report inflates beyond its declared size; refused as a zip bomb (${message})`,
        where,
      )
    }
    throw new RefusalError(`the JSON report cannot be inflated: ${message}`, where)
  }
  return Buffer.concat(chunks, total)
}
