/**
 * A small streaming JSON tokenizer. VICS files reach hundreds of MB, and int64 fields (MediaID,
 * MediaSize, PhysicalLocation) exceed 2^53, so the file is neither loaded whole nor passed through
 * JSON.parse numbers: numbers come out as their exact source text. It checks the grammar as it goes
 * (a truncated or malformed file fails with the line), and yields tokens in batches so consumers pay
 * one await per chunk rather than per token.
 */
import { HashListError } from './hash-list-entry.js'

export type JsonToken =
  | { kind: 'begin-object' | 'end-object' | 'begin-array' | 'end-array'; line: number }
  | { kind: 'key' | 'string' | 'number'; value: string; line: number }
  | { kind: 'literal'; value: boolean | null; line: number }

enum Expect {
  Value,
  ValueOrEnd,
  Key,
  KeyOrEnd,
  Colon,
  CommaOrEnd,
  Done,
}

const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/
const NUMBER_CHARS = /[-+.eE0-9]/
const LITERALS: ReadonlyArray<readonly [string, boolean | null]> = [
  ['true', true],
  ['false', false],
  ['null', null],
]

/** Longest single token (a string) accepted; bounds the carry-over buffer between chunks. */
const DEFAULT_MAX_TOKEN_LENGTH = 16 << 20

export async function* jsonTokenBatches(
  chunks: AsyncIterable<string>,
  maxTokenLength = DEFAULT_MAX_TOKEN_LENGTH,
): AsyncGenerator<JsonToken[]> {
  const containers: Array<'object' | 'array'> = []
  let expect = Expect.Value
  let line = 1
  let pending = ''

  const fail = (message: string): never => {
    throw new HashListError(`invalid JSON: ${message}`, { line })
  }
  const afterValue = (): void => {
    expect = containers.length === 0 ? Expect.Done : Expect.CommaOrEnd
  }

  /** Tokenizes `text` and returns the unconsumed tail (an incomplete token). */
  const run = (text: string, final: boolean, out: JsonToken[]): string => {
    let i = 0
    const length = text.length
    while (i < length) {
      const c = text.charCodeAt(i)
      if (c === 0x20 || c === 0x09 || c === 0x0d) {
        i++
        continue
      }
      if (c === 0x0a) {
        line++
        i++
        continue
      }
      if (expect === Expect.Done) fail(`unexpected ${JSON.stringify(text[i])} after the end of the document`)
      if (expect === Expect.Colon) {
        if (c !== 0x3a) fail(`expected ':' but found ${JSON.stringify(text[i])}`)
        expect = Expect.Value
        i++
        continue
      }
      if (expect === Expect.CommaOrEnd) {
        const top = containers[containers.length - 1]
        if (c === 0x2c) {
          expect = top === 'object' ? Expect.Key : Expect.Value
        } else if (c === 0x7d && top === 'object') {
          containers.pop()
          out.push({ kind: 'end-object', line })
          afterValue()
        } else if (c === 0x5d && top === 'array') {
          containers.pop()
          out.push({ kind: 'end-array', line })
          afterValue()
        } else {
          fail(`expected ',' or the end of the ${top} but found ${JSON.stringify(text[i])}`)
        }
        i++
        continue
      }
      if (c === 0x22) {
        // String: find the closing quote, honouring escapes.
        let j = i + 1
        let escaped = false
        while (j < length) {
          const d = text.charCodeAt(j)
          if (d === 0x22) break
          if (d === 0x5c) {
            escaped = true
            j += 2
            continue
          }
          if (d < 0x20) fail('control character inside a string')
          j++
        }
        if (j >= length) {
          if (final) fail('unterminated string (truncated file?)')
          return text.slice(i)
        }
        const raw = text.slice(i, j + 1)
        let value = raw.slice(1, -1)
        if (escaped) {
          try {
            value = JSON.parse(raw) as string
          } catch {
            fail('bad escape in string')
          }
        }
        if (expect === Expect.Key || expect === Expect.KeyOrEnd) {
          out.push({ kind: 'key', value, line })
          expect = Expect.Colon
        } else {
          out.push({ kind: 'string', value, line })
          afterValue()
        }
        i = j + 1
        continue
      }
      if (expect === Expect.KeyOrEnd && c === 0x7d) {
        containers.pop()
        out.push({ kind: 'end-object', line })
        afterValue()
        i++
        continue
      }
      if (expect === Expect.Key || expect === Expect.KeyOrEnd)
        fail(`expected a key but found ${JSON.stringify(text[i])}`)
      if (expect === Expect.ValueOrEnd && c === 0x5d) {
        containers.pop()
        out.push({ kind: 'end-array', line })
        afterValue()
        i++
        continue
      }
      // A value is expected.
      if (c === 0x7b || c === 0x5b) {
        const object = c === 0x7b
        containers.push(object ? 'object' : 'array')
        out.push({ kind: object ? 'begin-object' : 'begin-array', line })
        expect = object ? Expect.KeyOrEnd : Expect.ValueOrEnd
        i++
        continue
      }
      if (c === 0x2d || (c >= 0x30 && c <= 0x39)) {
        let j = i + 1
        while (j < length && NUMBER_CHARS.test(text[j]!)) j++
        if (j >= length && !final) return text.slice(i)
        const value = text.slice(i, j)
        if (!NUMBER.test(value)) fail(`bad number ${JSON.stringify(value.slice(0, 40))}`)
        out.push({ kind: 'number', value, line })
        afterValue()
        i = j
        continue
      }
      const literal = LITERALS.find(([word]) => word.charCodeAt(0) === c)
      if (literal) {
        const [word, value] = literal
        if (length - i < word.length && !final && word.startsWith(text.slice(i))) return text.slice(i)
        if (!text.startsWith(word, i)) fail(`unexpected ${JSON.stringify(text.slice(i, i + word.length))}`)
        out.push({ kind: 'literal', value, line })
        afterValue()
        i += word.length
        continue
      }
      fail(`unexpected ${JSON.stringify(text[i])}`)
    }
    return ''
  }

  for await (const chunk of chunks) {
    const out: JsonToken[] = []
    pending = run(pending + chunk, false, out)
    if (pending.length > maxTokenLength) fail(`token longer than ${maxTokenLength} characters`)
    if (out.length > 0) yield out
  }
  const out: JsonToken[] = []
  run(pending, true, out)
  if ((expect as Expect) !== Expect.Done) fail('unexpected end of input (truncated file?)')
  if (out.length > 0) yield out
}

/** Pulls tokens one at a time from the batches. */
export class JsonTokenCursor {
  private batch: JsonToken[] = []
  private at = 0
  private readonly batches: AsyncIterator<JsonToken[]>

  constructor(chunks: AsyncIterable<string>) {
    this.batches = jsonTokenBatches(chunks)[Symbol.asyncIterator]()
  }

  /** The next token, or null at the end of the document. */
  async next(): Promise<JsonToken | null> {
    while (this.at >= this.batch.length) {
      const result = await this.batches.next()
      if (result.done) return null
      this.batch = result.value
      this.at = 0
    }
    return this.batch[this.at++]!
  }

  /** Like next(), but the end of the document is an error here (the grammar check makes it unreachable). */
  async take(): Promise<JsonToken> {
    const token = await this.next()
    if (token === null) throw new HashListError('invalid JSON: unexpected end of input')
    return token
  }

  /** Skips the rest of a value whose first token was `first`. */
  async skip(first: JsonToken): Promise<void> {
    if (first.kind !== 'begin-object' && first.kind !== 'begin-array') return
    let depth = 1
    while (depth > 0) {
      const token = await this.take()
      if (token.kind === 'begin-object' || token.kind === 'begin-array') depth++
      else if (token.kind === 'end-object' || token.kind === 'end-array') depth--
    }
  }
}

/** A JSON number kept as its exact source text. */
export class JsonNumber {
  constructor(readonly text: string) {}
}

export type JsonValue = string | JsonNumber | boolean | null | JsonValue[] | { [key: string]: JsonValue }

/** Assembles one (small) value, skipping object members named in `skipKeys` at any depth. */
export async function readJsonValue(
  cursor: JsonTokenCursor,
  first: JsonToken,
  skipKeys: ReadonlySet<string> = new Set(),
): Promise<JsonValue> {
  switch (first.kind) {
    case 'string':
      return first.value
    case 'number':
      return new JsonNumber(first.value)
    case 'literal':
      return first.value
    case 'begin-array': {
      const items: JsonValue[] = []
      for (let token = await cursor.take(); token.kind !== 'end-array'; token = await cursor.take()) {
        items.push(await readJsonValue(cursor, token, skipKeys))
      }
      return items
    }
    case 'begin-object': {
      const object: { [key: string]: JsonValue } = Object.create(null)
      for (let token = await cursor.take(); token.kind === 'key'; token = await cursor.take()) {
        const valueToken = await cursor.take()
        if (skipKeys.has(token.value)) await cursor.skip(valueToken)
        else object[token.value] = await readJsonValue(cursor, valueToken, skipKeys)
      }
      return object
    }
    default:
      throw new HashListError(`invalid JSON: unexpected ${first.kind}`, { line: first.line })
  }
}
