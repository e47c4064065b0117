import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type JsonValue, pointerTo, readText, textOf } from './json-reader.js'

// RFC 6901: split on '/', then '~1' → '/' and '~0' → '~', in that order.
function segmentsOf(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'))
}

describe('pointerTo', () => {
  it('escapes ~ and / so that every segment reads back as given', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string(), fc.constantFrom('~', '/', '~1', '/~0', 'a/b~c'), fc.nat()), {
          maxLength: 6,
        }),
        (segments) => {
          expect(segmentsOf(pointerTo('', ...segments))).toEqual(segments.map(String))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('appends to a base pointer', () => {
    expect(pointerTo('/reportedInformation', 'uploadedFiles', 0, 'a/b')).toBe(
      '/reportedInformation/uploadedFiles/0/a~1b',
    )
  })
})

describe('textOf', () => {
  // textOf skips building pointers; it must read and refuse exactly as readText does.
  const outcome = (read: () => string | null) => {
    try {
      return { value: read() }
    } catch (error) {
      return { refused: (error as Error).message, details: JSON.stringify(error) }
    }
  }
  it('gives what readText gives, refusals and their paths included, for any document and path', () => {
    const key = fc.constantFrom('a', 'b', 'value', 'x/y', 'm~n')
    const document = fc.letrec<{ node: JsonValue }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.double(),
        fc.string(),
        fc.array(tie('node'), { maxLength: 2 }),
        fc.dictionary(key, tie('node'), { maxKeys: 3 }),
      ),
    })).node
    fc.assert(
      fc.property(document, fc.array(key, { maxLength: 3 }), (value, path) => {
        const from = { pointer: '/root', value }
        expect(outcome(() => textOf(from, path))).toEqual(outcome(() => readText(from, path)?.value ?? null))
      }),
      { numRuns: 2000 },
    )
  })
})
