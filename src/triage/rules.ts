import type { Band } from '../platform/schema.js'

/** What triage knows about a subject, gathered from all its referrals. */
export interface Indicators {
  referrals: number
  matchedFiles: { A: number; B: number; C: number }
  /** Files in the referrals, matched or not. */
  files: number
  /** The platform asked for escalation (e.g. a child in imminent danger). */
  escalations: number
  /** Report-level flags such as sextortion. */
  annotations: string[]
  /** NCMEC priority ids across the referrals ('1' is their highest, 'E' exigent). */
  ncmecPriorities: string[]
  /** Referrals NCMEC marked informational (insufficient detail to act). */
  informationalOnly: boolean
  /** Child victims named in the referrals. */
  childVictims: number
}

export interface BandReason {
  /** A stable code for the rule, so outcomes can later be analysed by rule. */
  rule: string
  text: string
  /** The least band this reason alone calls for. */
  band: Band
}

export interface Suggestion {
  band: Band
  reasons: BandReason[]
}

const ORDER: Band[] = ['low', 'medium', 'high', 'very_high']

export const BAND_NAMES: Record<Band, string> = {
  very_high: 'Very high',
  high: 'High',
  medium: 'Medium',
  low: 'Low',
}

/** Action clocks per band: the force is expected to act within these. */
export const BAND_CLOCK_DAYS: Record<Band, number> = { very_high: 1, high: 7, medium: 14, low: 30 }

/**
 * Suggests a band and gives every reason for it. The rules are a transparent first version of the
 * indicators the bureau uses (category A material, volume, escalation flags, sextortion, exigent
 * NCMEC priority); a person confirms or changes the band, with a reason.
 */
export function suggestBand(indicators: Indicators): Suggestion {
  const reasons: BandReason[] = []
  const { A, B, C } = indicators.matchedFiles
  if (indicators.escalations > 0) {
    reasons.push({
      rule: 'esp-escalation',
      text: 'The platform escalated the report (possible child at risk)',
      band: 'very_high',
    })
  }
  if (indicators.ncmecPriorities.includes('E')) {
    reasons.push({
      rule: 'ncmec-exigent',
      text: 'NCMEC marked a report exigent (priority E)',
      band: 'very_high',
    })
  }
  if (indicators.annotations.includes('sextortion')) {
    reasons.push({ rule: 'sextortion', text: 'A report is flagged as sextortion', band: 'high' })
  }
  if (indicators.childVictims > 0) {
    reasons.push({
      rule: 'child-victim-identified',
      text: `${indicators.childVictims} child victim(s) named in the reports`,
      band: 'high',
    })
  }
  if (A > 0) {
    reasons.push({ rule: 'category-a', text: `${A} known category A file(s)`, band: 'high' })
  }
  if (indicators.ncmecPriorities.includes('1')) {
    reasons.push({ rule: 'ncmec-priority-1', text: 'NCMEC priority 1', band: 'high' })
  }
  const known = A + B + C
  if (known >= 20) {
    reasons.push({ rule: 'volume', text: `${known} known indecent files`, band: 'high' })
  } else if (B > 0 || C > 0) {
    reasons.push({
      rule: 'known-material',
      text: `${known} known indecent file(s) (B: ${B}, C: ${C})`,
      band: 'medium',
    })
  }
  if (indicators.referrals >= 3) {
    reasons.push({
      rule: 'repeat-reports',
      text: `${indicators.referrals} separate reports about this subject`,
      band: 'medium',
    })
  }
  if (reasons.length === 0) {
    const text = indicators.informationalOnly
      ? 'Informational report(s) only, no known material and no escalation'
      : `No known material or escalation among ${indicators.files} reported file(s)`
    reasons.push({ rule: 'no-indicators', text, band: 'low' })
  }
  const band = reasons.reduce<Band>(
    (top, r) => (ORDER.indexOf(r.band) > ORDER.indexOf(top) ? r.band : top),
    'low',
  )
  return { band, reasons }
}
