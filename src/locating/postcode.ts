/**
 * UK postcodes: 'DT1 1AA' is outward code 'DT1' (area 'DT' + district number) and inward code '1AA'.
 * Referrals carry them in every spelling (lower case, no space, extra spaces), so we parse leniently
 * and always give back the canonical form.
 */

export interface Postcode {
  /** Canonical full postcode ('DT1 1AA'), or null when only the outward code is known. */
  full: string | null
  district: string
  area: string
}

const FULL = /^([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})$/
const OUTWARD = /^([A-Z]{1,2}[0-9][A-Z0-9]?)$/

export function parsePostcode(raw: string): Postcode | null {
  const value = raw.trim().toUpperCase().replace(/\s+/g, ' ')
  const full = FULL.exec(value)
  const outward = full?.[1] ?? OUTWARD.exec(value)?.[1]
  if (outward === undefined) return null
  const area = /^[A-Z]+/.exec(outward)![0]
  return { full: full ? `${outward} ${full[2]}` : null, district: outward, area }
}

/** Finds a postcode inside free text such as '14 Example Road, Exampleton DT1 1AA'. */
export function findPostcode(text: string): Postcode | null {
  const match = /\b([A-Za-z]{1,2}[0-9][A-Za-z0-9]?\s*[0-9][A-Za-z]{2})\b/.exec(text)
  return match ? parsePostcode(match[1]!) : null
}
