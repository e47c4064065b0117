/**
 * Checks an XML document must pass before any XML parser sees it. DTDs are the door to external
 * entities (XXE: reading local files or calling out to the network) and to entity expansion
 * ("billion laughs"); the CyberTipline schema needs neither, so any document type or entity
 * declaration is refused outright rather than trusting each parser's settings to defuse it.
 */
import { RefusalError } from '../model.js'

/** Far above any real report (the XSD caps free text at a few thousand characters per field). */
export const MAX_XML_CHARACTERS = 5_000_000

const DECLARATIONS = [
  { pattern: /<!DOCTYPE/i, what: 'a document type declaration (<!DOCTYPE)' },
  { pattern: /<!ENTITY/i, what: 'an entity declaration (<!ENTITY)' },
  { pattern: /<!ELEMENT|<!ATTLIST|<!NOTATION/i, what: 'a DTD declaration' },
] as const

function lineAt(text: string, offset: number): number {
  let line = 1
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1))
    line++
  return line
}

/** Refuses DTDs, entity declarations, non-UTF-8 declarations and oversized documents. */
export function refuseUnsafeXml(text: string): void {
  if (text.length > MAX_XML_CHARACTERS) {
    throw new RefusalError(`XML document is larger than ${MAX_XML_CHARACTERS} characters`)
  }
  // Report whichever declaration comes first, so the message points at the line to look at.
  let first: { offset: number; what: string } | null = null
  for (const { pattern, what } of DECLARATIONS) {
    const offset = text.search(pattern)
    if (offset !== -1 && (first === null || offset < first.offset)) first = { offset, what }
  }
  if (first) {
    throw new RefusalError(
      `refused before parsing: the document contains ${first.what}; DTDs and entities are not accepted`,
      { line: lineAt(text, first.offset) },
    )
  }
  // Validation and extraction both read the text as UTF-8; another declared encoding would make them
  // disagree about the bytes.
  const encoding = /^\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)["']/.exec(text)?.[1]
  if (encoding !== undefined && !/^utf-?8$/i.test(encoding)) {
    throw new RefusalError(`XML must be UTF-8, the document declares encoding ${encoding}`, { line: 1 })
  }
}

const PREDEFINED: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" }

/**
 * Decodes the five predefined entities and character references in one pass, so `&amp;#65;` stays
 * `&#65;`. Other references cannot occur: any declaration was refused and the schema validator
 * rejects undeclared ones.
 */
export function decodeXmlText(raw: string): string {
  if (!raw.includes('&')) return raw
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[A-Za-z]+);/g, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' ? Number.parseInt(name.slice(2), 16) : Number.parseInt(name.slice(1), 10)
      return code <= 0x10ffff ? String.fromCodePoint(code) : whole
    }
    return PREDEFINED[name] ?? whole
  })
}
