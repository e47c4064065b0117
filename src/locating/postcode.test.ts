import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { findPostcode, parsePostcode } from './postcode.js'
import { forceForPostcode } from './rules.js'

describe(parsePostcode.name, () => {
  it('canonicalises spacing and case', () => {
    expect(parsePostcode(' dt11aa ')).toEqual({ full: 'DT1 1AA', district: 'DT1', area: 'DT' })
    expect(parsePostcode('SW1A  1AA')).toEqual({ full: 'SW1A 1AA', district: 'SW1A', area: 'SW' })
    expect(parsePostcode('M1')).toEqual({ full: null, district: 'M1', area: 'M' })
  })
  it('refuses what is not a postcode', () => {
    for (const bad of ['', 'Dorset', '12345', 'DT1 1A', 'ZZZ1 1AA']) expect(parsePostcode(bad)).toBeNull()
  })
  it('gives the same result for any spacing and case of a valid postcode', () => {
    const postcode = fc
      .tuple(
        fc.stringMatching(/^[A-Z]{1,2}$/),
        fc.integer({ min: 1, max: 99 }),
        fc.integer({ min: 0, max: 9 }),
        fc.stringMatching(/^[ABDEFGHJLNPQRSTUWXYZ]{2}$/),
      )
      .map(([area, district, sector, unit]) => `${area}${district} ${sector}${unit}`)
    fc.assert(
      fc.property(postcode, fc.constantFrom('', ' ', '   '), fc.boolean(), (pc, gap, lower) => {
        const variant = pc.replace(' ', gap)
        const parsed = parsePostcode(lower ? variant.toLowerCase() : variant)
        expect(parsed?.full).toBe(pc)
      }),
    )
  })
  it('finds a postcode in an address line', () => {
    expect(findPostcode('14 Example Road, Exampleton dt1 1aa')?.full).toBe('DT1 1AA')
    expect(findPostcode('no postcode here')).toBeNull()
  })
})

describe(forceForPostcode.name, () => {
  const pc = parsePostcode('DT1 1AA')!
  it('uses the district with its confidence', () => {
    const found = forceForPostcode(
      pc,
      { district: 'DT1', forceId: 'dorset', status: 'active', confidence: 'high' },
      undefined,
    )
    expect(found).toMatchObject({ forceId: 'dorset', method: 'district', confidence: 'high' })
  })
  it('falls back to the area at lower confidence when the district is unknown or terminated', () => {
    const found = forceForPostcode(
      pc,
      { district: 'DT1', forceId: 'dorset', status: 'terminated', confidence: 'low' },
      { area: 'DT', forceId: 'dorset', share: 1 },
    )
    expect(found).toMatchObject({ method: 'area', confidence: 'medium' })
    expect(forceForPostcode(pc, undefined, { area: 'DT', forceId: 'dorset', share: 0.7 })?.confidence).toBe(
      'low',
    )
  })
  it('gives nothing when neither table knows the postcode', () => {
    expect(forceForPostcode(pc, undefined, undefined)).toBeNull()
  })
})
