import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { hexToWords, isPdqHex, pdqHexDistance, popcount32, wordsToHex } from './pdq-hash.js'

describe('pdq-hash', () => {
  it('round-trips hex through words and normalises to lower case', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[0-9a-fA-F]{64}$/), (hex) => {
        expect(wordsToHex(hexToWords(hex))).toBe(hex.toLowerCase())
      }),
    )
  })

  it('counts bits like a naive loop', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
        expect(popcount32(value)).toBe(value.toString(2).replaceAll('0', '').length)
      }),
    )
  })

  it('measures the distance between the reference dihedral variants', () => {
    // pdq-photo-hasher output for the bridge photo and its flipX copy (shared test data).
    const original = 'f8f8f0cce0f4e84d0e370a22028f67f0b36e2ed596623e1d33e6339c4e9c9b22'
    expect(pdqHexDistance(original, original)).toBe(0)
    expect(pdqHexDistance(original, 'f8f80f31e0f417b00e37f5cd028f980fb36ed02a9662c1e233e6cc634e9c64dd')).toBe(
      124,
    ) // checked with Python int.bit_count
    expect(isPdqHex(original.slice(1))).toBe(false)
    expect(() => hexToWords(`${original.slice(1)}g`)).toThrow(RangeError)
  })
})
