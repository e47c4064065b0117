/**
 * Picks the parser for an incoming file. The content decides (magic bytes, first significant
 * character, CSV header); the file name only breaks ties, because names are typed by people and
 * exports are often renamed. Nothing here parses: a wrong guess is caught by the parser's refusal.
 */
import { P2P_CSV_COLUMNS } from './p2p-csv.js'

export type DetectedFormat = 'zip-bundle' | 'cybertipline-le-json' | 'cybertipline-xml' | 'p2p-csv'

export interface Detection {
  format: DetectedFormat | null
  /** Why, in words for the upload page and the log. */
  reason: string
}

/** Enough of the start of a file to decide; detection never reads more. */
const SNIFF_BYTES = 4096

/** Index of the first byte after a UTF-8 byte-order mark and ASCII whitespace. */
function firstSignificantByte(bytes: Uint8Array): number {
  let at = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0
  while (
    at < bytes.length &&
    (bytes[at] === 0x20 || bytes[at] === 0x09 || bytes[at] === 0x0a || bytes[at] === 0x0d)
  )
    at++
  return at
}

export function detectFormat(fileName: string, bytes: Uint8Array): Detection {
  const extension = /\.([A-Za-z0-9]+)$/.exec(fileName)?.[1]?.toLowerCase() ?? ''
  if (
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    (bytes[2] === 0x03 || bytes[2] === 0x05) &&
    (bytes[3] === 0x04 || bytes[3] === 0x06)
  ) {
    return { format: 'zip-bundle', reason: 'starts with the ZIP signature' }
  }
  if (bytes[0] === 0x25 && bytes[1] === 0x50 && bytes[2] === 0x44 && bytes[3] === 0x46) {
    return { format: null, reason: 'a PDF: read the JSON report that comes with it instead' }
  }
  // Nearly every document is a JSON report: its first significant byte decides, with nothing decoded.
  if (bytes[firstSignificantByte(bytes)] === 0x7b)
    return { format: 'cybertipline-le-json', reason: 'a JSON object' }
  const head = new TextDecoder('utf-8', { fatal: false })
    .decode(bytes.subarray(0, SNIFF_BYTES))
    .replace(/^\uFEFF/, '')
  const start = head.trimStart()
  if (start.startsWith('{')) return { format: 'cybertipline-le-json', reason: 'a JSON object' }
  if (start.startsWith('<')) {
    const root = /<([A-Za-z][\w.-]*)[\s>/]/.exec(start.replace(/<\?[\s\S]*?\?>|<!--[\s\S]*?-->/g, ''))?.[1]
    if (root === 'report' || root === 'fileDetails') {
      return { format: 'cybertipline-xml', reason: `XML with root <${root}>` }
    }
    // DTD-bearing or unknown XML still goes to the XML reader, which refuses it with a reason.
    return { format: 'cybertipline-xml', reason: `XML${root ? ` with root <${root}>` : ''}` }
  }
  const header = start.split(/\r?\n/, 1)[0] ?? ''
  if (looksLikeSightingsHeader(header))
    return { format: 'p2p-csv', reason: 'a CSV header with IP and time columns' }
  if (extension === 'json') return { format: 'cybertipline-le-json', reason: 'named .json' }
  if (extension === 'xml') return { format: 'cybertipline-xml', reason: 'named .xml' }
  if (extension === 'csv') return { format: 'p2p-csv', reason: 'named .csv' }
  if (extension === 'zip') return { format: 'zip-bundle', reason: 'named .zip' }
  return {
    format: null,
    reason: 'not a format Footprint reads (ZIP bundle, LE JSON, CyberTipline XML, P2P CSV)',
  }
}

function looksLikeSightingsHeader(line: string): boolean {
  const names = new Set(
    line.split(/[,;\t]/).map((name) =>
      name
        .trim()
        .replace(/^"|"$/g, '')
        .toLowerCase()
        .replace(/[\s_-]/g, ''),
    ),
  )
  const has = (aliases: readonly string[]) => aliases.some((alias) => names.has(alias.replace(/[\s_-]/g, '')))
  return has(P2P_CSV_COLUMNS.ip) && has(P2P_CSV_COLUMNS.time)
}
