/**
 * Peer-to-peer sightings CSV: one row per time a monitored peer was seen offering a file. Rows are
 * rolled up per peer (IP address + client GUID) and time window into one ReferralDocument each, so a
 * peer seen all day becomes one referral rather than hundreds.
 *
 * Header names (first row; matched ignoring case, spaces, `_` and `-`; unknown columns are ignored):
 *
 *   column       required  aliases
 *   ip           yes       ip_address, peer_ip, source_ip, address
 *   time         yes       timestamp, observed_at, seen_at, datetime, date_time, utc
 *   port         no        peer_port, source_port
 *   guid         no        client_guid, peer_id, client_id, node_id
 *   client       no        client_name, software, user_agent
 *   network      no        protocol, p2p_network
 *   md5          no        file_md5
 *   sha1         no        file_sha1
 *   infohash     no        info_hash, btih
 *   file_name    no        filename, file
 *
 * Each row needs an ip, a time as ISO 8601 with an offset (`Z` or `+01:00`; a time without offset is
 * ambiguous by an hour and an IP is only attributable at an exact time) and at least one of md5,
 * sha1, infohash. Hash cells are checked for shape (md5 32 hex; sha1 and infohash 40 hex or 32 base32;
 * infohash v2 64 hex) but kept verbatim. Refusals name the line and column.
 */
import { type CsvError, parse } from 'csv-parse/sync'
import {
  type ExtractedFile,
  type ExtractedFileHash,
  type ExtractedIdentifier,
  type ReferralDocument,
  RefusalError,
} from '../model.js'

export interface P2pCsvOptions {
  /** Length of a roll-up window, from the peer's first sighting in it. Default 24 hours. */
  windowHours?: number
  /** Refuse files with more data rows than this. */
  maxRows?: number
}

type Column =
  | 'ip'
  | 'time'
  | 'port'
  | 'guid'
  | 'client'
  | 'network'
  | 'md5'
  | 'sha1'
  | 'infohash'
  | 'file_name'

export const P2P_CSV_COLUMNS: Readonly<Record<Column, readonly string[]>> = {
  ip: ['ip', 'ip_address', 'peer_ip', 'source_ip', 'address'],
  time: ['time', 'timestamp', 'observed_at', 'seen_at', 'datetime', 'date_time', 'utc'],
  port: ['port', 'peer_port', 'source_port'],
  guid: ['guid', 'client_guid', 'peer_id', 'client_id', 'node_id'],
  client: ['client', 'client_name', 'software', 'user_agent'],
  network: ['network', 'protocol', 'p2p_network'],
  md5: ['md5', 'file_md5'],
  sha1: ['sha1', 'file_sha1'],
  infohash: ['infohash', 'info_hash', 'btih'],
  file_name: ['file_name', 'filename', 'file'],
}

const squash = (name: string): string => name.toLowerCase().replace(/[\s_-]/g, '')

const COLUMN_BY_ALIAS = new Map<string, Column>(
  (Object.entries(P2P_CSV_COLUMNS) as [Column, readonly string[]][]).flatMap(([column, aliases]) =>
    aliases.map((alias) => [squash(alias), column] as const),
  ),
)

const HASH_SHAPES: Readonly<Record<'md5' | 'sha1' | 'infohash', RegExp>> = {
  md5: /^[0-9a-fA-F]{32}$/,
  sha1: /^(?:[0-9a-fA-F]{40}|[A-Za-z2-7]{32})$/,
  infohash: /^(?:[0-9a-fA-F]{40}|[A-Za-z2-7]{32}|[0-9a-fA-F]{64})$/,
}

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/

interface Sighting {
  line: number
  ip: string
  time: string
  at: number
  port: number | null
  guid: string | null
  client: string | null
  network: string | null
  hashes: ExtractedFileHash[]
  fileName: string | null
}

/** Parses the CSV and rolls the sightings up into one referral per peer and window. */
export function parseP2pCsv(text: string, options: P2pCsvOptions = {}): ReferralDocument[] {
  const windowHours = options.windowHours ?? 24
  if (!(windowHours > 0))
    throw new RefusalError(`window must be a positive number of hours, not ${windowHours}`)
  return rollUp(readSightings(text, options.maxRows ?? 1_000_000), windowHours * 3_600_000)
}

type Row = { record: string[]; info: { lines: number } }

function readRows(text: string): Row[] {
  try {
    return parse(text, {
      bom: true,
      info: true,
      trim: true,
      skip_empty_lines: true,
      comment: '#',
      comment_no_infix: true,
      max_record_size: 64 * 1024,
    }) as Row[]
  } catch (error) {
    const csv = error as Partial<CsvError> & { lines?: number }
    const message = error instanceof Error ? error.message : String(error)
    throw new RefusalError(
      `not readable as CSV: ${message}`,
      typeof csv.lines === 'number' ? { line: csv.lines } : {},
    )
  }
}

function readSightings(text: string, maxRows: number): Sighting[] {
  const [header, ...rows] = readRows(text)
  if (!header) throw new RefusalError('the CSV is empty; expected a header row', { line: 1 })
  if (rows.length > maxRows) throw new RefusalError(`more than ${maxRows} rows`, { line: maxRows + 2 })
  const positions = new Map<Column, number>()
  header.record.forEach((name, index) => {
    const column = COLUMN_BY_ALIAS.get(squash(name))
    if (!column) return
    if (positions.has(column)) {
      throw new RefusalError(`two columns mean ${column}`, { line: header.info.lines, field: name })
    }
    positions.set(column, index)
  })
  for (const required of ['ip', 'time'] as const) {
    if (!positions.has(required)) {
      const known = P2P_CSV_COLUMNS[required].join(', ')
      throw new RefusalError(`the header has no ${required} column (accepted names: ${known})`, {
        line: header.info.lines,
        field: required,
      })
    }
  }
  return rows.map(({ record, info }) => readSighting(record, info.lines, positions))
}

function readSighting(record: string[], line: number, positions: ReadonlyMap<Column, number>): Sighting {
  const cell = (column: Column): string | null => {
    const position = positions.get(column)
    const value = position === undefined ? undefined : record[position]
    return value === undefined || value === '' ? null : value
  }
  const refuse = (reason: string, field: Column): never => {
    throw new RefusalError(reason, { line, field })
  }
  const ip = cell('ip') ?? refuse('no IP address', 'ip')
  if (!/^[0-9A-Fa-f.:]+$/.test(ip)) refuse(`${JSON.stringify(ip)} is not an IP address`, 'ip')
  const time = cell('time') ?? refuse('no time', 'time')
  const at = Date.parse(time)
  if (!ISO_WITH_OFFSET.test(time) || Number.isNaN(at)) {
    refuse(`${JSON.stringify(time)} is not an ISO 8601 time with an offset (Z or +hh:mm)`, 'time')
  }
  const portText = cell('port')
  const port = portText === null ? null : Number(portText)
  if (port !== null && !(/^\d{1,5}$/.test(portText ?? '') && port <= 65535)) {
    refuse(`${JSON.stringify(portText)} is not a port number`, 'port')
  }
  const hashes: ExtractedFileHash[] = []
  for (const column of ['md5', 'sha1', 'infohash'] as const) {
    const value = cell(column)
    if (value === null) continue
    if (!HASH_SHAPES[column].test(value)) refuse(`${JSON.stringify(value)} is not a ${column} hash`, column)
    hashes.push({ algorithm: column === 'infohash' ? 'other' : column, value, label: column })
  }
  if (hashes.length === 0) refuse('no file hash: give at least one of md5, sha1, infohash', 'md5')
  return {
    line,
    ip,
    time,
    at,
    port,
    guid: cell('guid'),
    client: cell('client'),
    network: cell('network'),
    hashes,
    fileName: cell('file_name'),
  }
}

function rollUp(sightings: Sighting[], windowMs: number): ReferralDocument[] {
  const byPeer = new Map<string, Sighting[]>()
  for (const sighting of sightings) {
    const peer = JSON.stringify([sighting.ip, sighting.guid])
    const list = byPeer.get(peer)
    if (list) list.push(sighting)
    else byPeer.set(peer, [sighting])
  }
  const referrals: { first: Sighting; referral: ReferralDocument }[] = []
  const close = (window: Sighting[]) => {
    if (window[0]) referrals.push({ first: window[0], referral: referralFor(window) })
  }
  for (const peerSightings of byPeer.values()) {
    peerSightings.sort((a, b) => a.at - b.at || a.line - b.line)
    let window: Sighting[] = []
    for (const sighting of peerSightings) {
      const start = window[0]
      if (start && sighting.at - start.at >= windowMs) {
        close(window)
        window = []
      }
      window.push(sighting)
    }
    close(window)
  }
  // Stable order for people and tests: by first sighting, then by line.
  referrals.sort((a, b) => a.first.at - b.first.at || a.first.line - b.first.line)
  return referrals.map(({ referral }) => referral)
}

const only = (values: (string | null)[]): string | null => {
  const distinct = new Set(values.filter((value) => value !== null))
  return distinct.size === 1 ? ([...distinct][0] ?? null) : null
}

function referralFor(window: Sighting[]): ReferralDocument {
  const [first] = window
  if (!first) throw new Error('a roll-up window is never empty')
  const blank = { platform: null, event: null, possibleProxy: null, valueType: null, verified: null }
  const identifiers: ExtractedIdentifier[] = window.map((sighting) => ({
    ...blank,
    kind: 'ip',
    value: sighting.ip,
    role: 'peer',
    personIndex: 0,
    path: `line ${sighting.line}`,
    observedAt: sighting.time,
    port: sighting.port,
  }))
  if (first.guid !== null) {
    identifiers.push({
      ...blank,
      kind: 'device',
      value: first.guid,
      valueType: 'GUID',
      role: 'peer',
      personIndex: 0,
      path: `line ${first.line}`,
      observedAt: first.time,
      port: null,
    })
  }
  const files = new Map<string, ExtractedFile>()
  for (const sighting of window) {
    const key = JSON.stringify([sighting.hashes.map((hash) => hash.value), sighting.fileName])
    if (files.has(key)) continue
    files.set(key, {
      path: `line ${sighting.line}`,
      fileName: sighting.fileName,
      originalFileName: null,
      hashes: sighting.hashes,
      viewedByEsp: null,
      publiclyAvailable: null,
      industryClassification: null,
      annotations: [],
    })
  }
  const network = only(window.map((sighting) => sighting.network))
  return {
    source: 'p2p-csv',
    sourceReference: null,
    incidentType: null,
    incidentAt: first.time,
    platform: network,
    reportingOrganisation: null,
    informational: false,
    escalation: null,
    annotations: [],
    ncmecPriority: null,
    persons: [
      {
        path: `line ${first.line}`,
        role: 'peer',
        personIndex: 0,
        firstName: null,
        lastName: null,
        dateOfBirth: null,
        approximateAge: null,
        platform: only(window.map((sighting) => sighting.client)) ?? network,
        espUserId: null,
        screenName: null,
        displayNames: [],
      },
    ],
    identifiers,
    addresses: [],
    files: [...files.values()],
  }
}
