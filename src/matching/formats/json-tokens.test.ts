import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { HashListError } from './hash-list-entry.js'
import { type JsonToken, JsonTokenCursor, jsonTokenBatches, readJsonValue } from './json-tokens.js'

async function* pieces(text: string, cuts: number[]): AsyncGenerator<string> {
  let start = 0
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    yield text.slice(start, Math.max(start, cut))
    start = Math.max(start, cut)
  }
  yield text.slice(start)
}

async function tokens(text: string, cuts: number[] = []): Promise<JsonToken[]> {
  const all: JsonToken[] = []
  for await (const batch of jsonTokenBatches(pieces(text, cuts))) all.push(...batch)
  return all
}

describe('jsonTokenBatches', () => {
  it('keeps numbers as exact text, beyond 2^53', async () => {
    const found = await tokens('{"MediaID": 9223372036854775807, "x": [-1.5e3, true, null, "a\\"b\\u00e9"]}')
    expect(found.filter((t) => t.kind === 'number').map((t) => ('value' in t ? t.value : null))).toEqual([
      '9223372036854775807',
      '-1.5e3',
    ])
    expect(found.find((t) => t.kind === 'string')).toMatchObject({ value: 'a"bé' })
  })

  it('gives the same tokens however the input is split', () => {
    return fc.assert(
      fc.asyncProperty(fc.jsonValue(), fc.array(fc.nat(400), { maxLength: 12 }), async (value, cuts) => {
        const text = JSON.stringify(value, null, 1)
        expect(await tokens(text, cuts)).toEqual(await tokens(text))
        const cursor = new JsonTokenCursor(pieces(text, cuts))
        const rebuilt = await readJsonValue(cursor, await cursor.take())
        expect(
          JSON.stringify(rebuilt, (_, v) => (v?.constructor?.name === 'JsonNumber' ? Number(v.text) : v)),
        ).toBe(JSON.stringify(value))
      }),
      { numRuns: 150 },
    )
  })

  it.each([
    ['{"a": 1', 3],
    ['{"a" 1}', 1],
    ['[1,]', 1],
    ['[01]', 1],
    ['{"a": tru}', 1],
    ['{"a":\n"b"\n}\n,', 4],
    ['{"a": "b', 1],
  ])('refuses %j with the line', async (text, line) => {
    const error = await tokens(text).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(HashListError)
    expect((error as HashListError).line).toBe(text === '{"a": 1' ? 1 : line)
  })

  it('fails only with HashListError on arbitrary input', () => {
    return fc.assert(
      fc.asyncProperty(fc.string({ maxLength: 60 }), async (text) => {
        await tokens(text).catch((error: unknown) => expect(error).toBeInstanceOf(HashListError))
      }),
      { numRuns: 300 },
    )
  })
})
