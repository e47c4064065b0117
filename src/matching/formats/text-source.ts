/**
 * Turns a file path, a Node Readable or any async iterable of bytes/strings into UTF-8 text chunks
 * or numbered lines, with flat memory: one chunk and at most one partial line are held at a time.
 */
import { createReadStream } from 'node:fs'
import { StringDecoder } from 'node:string_decoder'
import { HashListError } from './hash-list-entry.js'

/** A file path, a Node Readable, or any async iterable of chunks. */
export type HashListSource = string | AsyncIterable<string | Uint8Array>

/** Lines longer than this are refused: no hash-list line is anywhere near it, and it bounds memory. */
const MAX_LINE_LENGTH = 1 << 20

export async function* textChunks(source: HashListSource): AsyncGenerator<string> {
  const input: AsyncIterable<string | Uint8Array> =
    typeof source === 'string' ? createReadStream(source) : source
  const decoder = new StringDecoder('utf8')
  let first = true
  for await (const chunk of input) {
    let text =
      typeof chunk === 'string'
        ? chunk
        : decoder.write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength))
    // A UTF-8 byte-order mark is allowed at the very start (VICS files often carry one).
    if (first && text.length > 0) {
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
      first = false
    }
    if (text.length > 0) yield text
  }
  const rest = decoder.end()
  if (rest.length > 0) yield rest
}

export interface NumberedLine {
  /** 1-based. */
  line: number
  text: string
}

/** Lines without their terminator (LF or CRLF); a last line without a newline is still yielded. */
export async function* textLines(source: HashListSource): AsyncGenerator<NumberedLine> {
  let pending = ''
  let line = 0
  for await (const chunk of textChunks(source)) {
    let text = pending + chunk
    let start = 0
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      line++
      const raw = text.slice(start, end)
      yield { line, text: raw.endsWith('\r') ? raw.slice(0, -1) : raw }
      start = end + 1
    }
    text = text.slice(start)
    if (text.length > MAX_LINE_LENGTH) throw new HashListError('line too long', { line: line + 1 })
    pending = text
  }
  if (pending.length > 0)
    yield { line: line + 1, text: pending.endsWith('\r') ? pending.slice(0, -1) : pending }
}

/** Reads a whole (bounded) document, for formats that come in pages (NCMEC XML). */
export async function readAllText(source: HashListSource, maxLength: number): Promise<string> {
  const parts: string[] = []
  let length = 0
  for await (const chunk of textChunks(source)) {
    length += chunk.length
    if (length > maxLength) throw new HashListError(`document longer than ${maxLength} characters`)
    parts.push(chunk)
  }
  return parts.join('')
}
