import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { type Indicators, suggestBand } from './rules.js'

const none: Indicators = {
  referrals: 1,
  matchedFiles: { A: 0, B: 0, C: 0 },
  files: 2,
  escalations: 0,
  annotations: [],
  ncmecPriorities: ['3'],
  informationalOnly: false,
  childVictims: 0,
}

describe(suggestBand.name, () => {
  it('is low, with a reason, when nothing points higher', () => {
    const s = suggestBand(none)
    expect(s.band).toBe('low')
    expect(s.reasons.map((r) => r.rule)).toEqual(['no-indicators'])
  })
  it('is very high when the platform escalated', () => {
    expect(suggestBand({ ...none, escalations: 1 }).band).toBe('very_high')
  })
  it('is high for category A material and names the count', () => {
    const s = suggestBand({ ...none, matchedFiles: { A: 2, B: 0, C: 1 } })
    expect(s.band).toBe('high')
    expect(s.reasons.find((r) => r.rule === 'category-a')?.text).toContain('2 known category A')
  })
  it('is medium for known B/C material only', () => {
    expect(suggestBand({ ...none, matchedFiles: { A: 0, B: 1, C: 3 } }).band).toBe('medium')
  })
  it('never gives a band lower than any of its own reasons, and always gives a reason', () => {
    const order = ['low', 'medium', 'high', 'very_high']
    const indicators = fc.record({
      referrals: fc.integer({ min: 1, max: 10 }),
      matchedFiles: fc.record({ A: fc.nat(30), B: fc.nat(30), C: fc.nat(30) }),
      files: fc.nat(100),
      escalations: fc.nat(2),
      annotations: fc.subarray(['sextortion', 'csamSolicitation']),
      ncmecPriorities: fc.subarray(['1', '2', '3', 'E']),
      informationalOnly: fc.boolean(),
      childVictims: fc.nat(3),
    })
    fc.assert(
      fc.property(indicators, (i) => {
        const s = suggestBand(i)
        expect(s.reasons.length).toBeGreaterThan(0)
        for (const r of s.reasons) expect(order.indexOf(s.band)).toBeGreaterThanOrEqual(order.indexOf(r.band))
        expect(s.reasons.some((r) => r.band === s.band)).toBe(true)
      }),
    )
  })
})
