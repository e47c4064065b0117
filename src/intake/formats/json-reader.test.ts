import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { pointerTo } from './json-reader.js'

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
