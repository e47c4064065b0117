/**
 * Reads incoming files into what intake stores: each verbatim document with its SHA-256 and
 * format, the referrals it holds (each with its idempotency key) and any <fileDetails>. Reading never
 * touches the database, so a whole run is read (and refused, if anything is wrong) before one row is
 * written.
 */
import { createHash } from 'node:crypto'
import { type CybertiplineFileDetails, parseCybertiplineXmlBatch } from './formats/cybertipline-xml.js'
import { detectFormat } from './formats/detect.js'
import { parseLeJson } from './formats/le-json.js'
import { parseP2pCsv } from './formats/p2p-csv.js'
import { readZipBundle, type ZipManifestEntry } from './formats/zip-bundle.js'
import { type ReferralDocument, RefusalError } from './model.js'
import { isPartnerReferral, readPartnerReferral } from './partner.js'

// Decoding without `stream` keeps no state between calls, so one decoder serves every document.
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true })

export interface IncomingDocument {
  /** The file name as given (CLI path or upload name); named in every refusal. */
  fileName: string
  body: Buffer
}

export type DocumentFormat = 'cybertipline-le-json' | 'cybertipline-xml' | 'p2p-csv' | 'partner'

/** A document exactly as it will be kept. A ZIP bundle is never kept: its JSON reports are. */
export interface ReceivedDocument {
  fileName: string
  body: Buffer
  sha256: string
  mediaType: string
  format: DocumentFormat
  manifest: ZipManifestEntry[] | null
}

export interface ReadReferral {
  document: ReceivedDocument
  referral: ReferralDocument
  /** reportId for CyberTipline; partner agency and reference; otherwise the document's SHA-256. */
  key: string
  /** SHA-256 of what was read, so a re-send differing only in layout is still a duplicate. */
  contentSha256: string
}

export interface ReadFileDetails {
  document: ReceivedDocument
  details: CybertiplineFileDetails
}

export interface ReadDocument {
  fileName: string
  referrals: ReadReferral[]
  fileDetails: ReadFileDetails[]
}

export interface ReadOptions {
  /**
   * The reportId NCMEC returned when the XML `<report>` was submitted (a `<report>` body has none).
   * It becomes the report's source reference, which `<fileDetails>` name. One XML report per run.
   */
  reportId?: string | null
}

export const sha256Of = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex')

function received(incoming: IncomingDocument, format: DocumentFormat, mediaType: string): ReceivedDocument {
  return { ...incoming, sha256: sha256Of(incoming.body), mediaType, format, manifest: null }
}

/**
 * Where the first text holding U+0000 is: the path of the nearest row read (each carries its source
 * path) and the field. Postgres text cannot hold that character, so such a document is refused here,
 * naming the field, rather than failing the whole batch in the database.
 */
function nulCharacterAt(value: unknown, path: string | undefined, field: string): RefusalError | null {
  if (typeof value === 'string') {
    return value.includes('\u0000')
      ? new RefusalError('the value holds a NUL character (U+0000), which cannot be stored as text', {
          ...(path ? { path } : {}),
          field,
        })
      : null
  }
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = nulCharacterAt(item, path, field)
      if (found) return found
    }
    return null
  }
  if (value === null || typeof value !== 'object') return null
  const row = value as Record<string, unknown>
  const rowPath = typeof row.path === 'string' ? row.path : path
  for (const [key, item] of Object.entries(row)) {
    const found = nulCharacterAt(item, rowPath, key)
    if (found) return found
  }
  return null
}

function keyed(document: ReceivedDocument, referral: ReferralDocument, key?: string): ReadReferral {
  const content = JSON.stringify(referral)
  // JSON.stringify writes U+0000 as \u0000: one search of the text already built spares every other
  // document the walk.
  const nul = content.includes('\\u0000') ? nulCharacterAt(referral, undefined, 'value') : null
  if (nul) throw nul
  return {
    document,
    referral,
    key: key ?? referral.sourceReference ?? `sha256:${document.sha256}`,
    contentSha256: sha256Of(content),
  }
}

function utf8(incoming: IncomingDocument): string {
  if (incoming.body.length === 0) throw new RefusalError('the file is empty')
  try {
    return STRICT_UTF8.decode(incoming.body)
  } catch {
    throw new RefusalError('the file is not UTF-8 text, nor a ZIP bundle')
  }
}

/** Reads one JSON, CSV or ZIP document (XML goes through readXml, in one batch). */
async function readOne(incoming: IncomingDocument): Promise<ReadDocument> {
  const detected = detectFormat(incoming.fileName, incoming.body)
  const empty = { fileName: incoming.fileName, referrals: [], fileDetails: [] }
  if (incoming.body.length === 0) throw new RefusalError('the file is empty')
  switch (detected.format) {
    case 'zip-bundle': {
      const bundle = await readZipBundle(incoming.body)
      if (bundle.reports.length === 0) throw new RefusalError('the ZIP bundle holds no JSON report')
      return {
        ...empty,
        referrals: bundle.reports.map((report) => {
          const document: ReceivedDocument = {
            fileName: `${incoming.fileName}!/${report.entryName}`,
            body: Buffer.from(report.json, 'utf8'),
            sha256: report.sha256,
            mediaType: 'application/json',
            format: 'cybertipline-le-json',
            manifest: bundle.manifest,
          }
          try {
            return keyed(document, report.referral)
          } catch (error) {
            const refusal = asRefusal(error)
            throw new RefusalError(refusal.reason, { ...refusal.where, record: report.entryName })
          }
        }),
      }
    }
    case 'cybertipline-le-json': {
      const text = utf8(incoming)
      if (isPartnerReferral(text)) {
        const document = received(incoming, 'partner', 'application/json')
        const partner = readPartnerReferral(text)
        return { ...empty, referrals: [keyed(document, partner.referral, partner.key)] }
      }
      const document = received(incoming, 'cybertipline-le-json', 'application/json')
      return { ...empty, referrals: [keyed(document, parseLeJson(text))] }
    }
    case 'p2p-csv': {
      const document = received(incoming, 'p2p-csv', 'text/csv')
      // One referral per peer and window; the window's peer and start tell the referrals apart.
      const referrals = parseP2pCsv(utf8(incoming)).map((referral) => {
        const peer = referral.identifiers.find((i) => i.kind === 'device') ?? referral.identifiers[0]
        return keyed(
          document,
          referral,
          `sha256:${document.sha256}#${peer?.value ?? ''}@${referral.incidentAt}`,
        )
      })
      return { ...empty, referrals }
    }
    default:
      throw new RefusalError(`not a referral document: ${detected.reason}`)
  }
}

/** XML documents validate against the XSD in one run of the validator, so they are read together. */
async function readXml(
  documents: readonly IncomingDocument[],
  options: ReadOptions,
): Promise<(ReadDocument | RefusalError)[]> {
  const texts: string[] = []
  const results: (ReadDocument | RefusalError | null)[] = documents.map((incoming) => {
    try {
      texts.push(utf8(incoming))
      return null
    } catch (error) {
      texts.push('')
      return asRefusal(error).inFile(incoming.fileName)
    }
  })
  const pending = documents.flatMap((_, index) => (results[index] === null ? [index] : []))
  const parsed = await parseCybertiplineXmlBatch(pending.map((index) => texts[index] ?? ''))
  const reports = parsed.filter((p) => !(p instanceof RefusalError) && p.root === 'report').length
  pending.forEach((index, position) => {
    const incoming = documents[index]!
    const result = parsed[position]
    if (result === undefined || result instanceof RefusalError) {
      results[index] = (result ?? new RefusalError('could not be read')).inFile(incoming.fileName)
      return
    }
    const document = received(incoming, 'cybertipline-xml', 'application/xml')
    const empty = { fileName: incoming.fileName, referrals: [], fileDetails: [] }
    if (result.root === 'fileDetails') {
      results[index] = { ...empty, fileDetails: [{ document, details: result.fileDetails }] }
      return
    }
    if (options.reportId && reports > 1) {
      results[index] = new RefusalError(
        `a reportId was given but the run holds ${reports} XML reports; send each XML report with its own reportId`,
        { file: incoming.fileName },
      )
      return
    }
    const referral = { ...result.referral, sourceReference: options.reportId ?? null }
    try {
      results[index] = { ...empty, referrals: [keyed(document, referral)] }
    } catch (error) {
      results[index] = asRefusal(error).inFile(incoming.fileName)
    }
  })
  return results.map((result) => result ?? new RefusalError('could not be read'))
}

function asRefusal(error: unknown): RefusalError {
  if (error instanceof RefusalError) return error
  throw error
}

/** Reads every document; the refusals name their file (and record, line or path where known). */
export async function readDocuments(
  incoming: readonly IncomingDocument[],
  options: ReadOptions = {},
): Promise<{ read: ReadDocument[]; refusals: RefusalError[] }> {
  const isXml = incoming.map(
    (document) =>
      document.body.length > 0 &&
      detectFormat(document.fileName, document.body).format === 'cybertipline-xml',
  )
  const xml = await readXml(
    incoming.filter((_, index) => isXml[index]),
    options,
  )
  const read: ReadDocument[] = []
  const refusals: RefusalError[] = []
  let xmlIndex = 0
  for (const [index, document] of incoming.entries()) {
    let result: ReadDocument | RefusalError
    if (isXml[index]) {
      result = xml[xmlIndex++] ?? new RefusalError('could not be read')
    } else {
      try {
        result = await readOne(document)
      } catch (error) {
        result = asRefusal(error).inFile(document.fileName)
      }
    }
    if (result instanceof RefusalError) refusals.push(result)
    else read.push(result)
  }
  return { read, refusals }
}
