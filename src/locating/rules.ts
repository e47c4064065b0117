import type { Postcode } from './postcode.js'

export interface DistrictRow {
  district: string
  forceId: string | null
  status: string
  confidence: string
}

export interface AreaRow {
  area: string
  forceId: string
  share: number
}

export interface Location {
  forceId: string
  method: 'district' | 'area'
  confidence: 'high' | 'medium' | 'low'
  /** Why, in words an analyst can check. */
  reason: string
}

/**
 * The force for a postcode: the district table first, then the area table as a coarse fallback.
 * A district that spans forces gives its primary force with the table's confidence; the area
 * fallback is at best medium, and low when the area is shared. No full-postcode table is shipped yet
 * (ONS NSPL), so a full postcode is located by its district.
 */
export function forceForPostcode(
  postcode: Postcode,
  district: DistrictRow | undefined,
  area: AreaRow | undefined,
): Location | null {
  if (district?.forceId && district.status === 'active') {
    const confidence =
      district.confidence === 'high' || district.confidence === 'medium' ? district.confidence : 'low'
    return {
      forceId: district.forceId,
      method: 'district',
      confidence,
      reason: `postcode district ${postcode.district} lies in this force (${confidence} confidence)`,
    }
  }
  if (area) {
    const confidence = area.share >= 0.95 ? 'medium' : 'low'
    return {
      forceId: area.forceId,
      method: 'area',
      confidence,
      reason: `postcode district ${postcode.district} is not in the district table; area ${postcode.area} is ${Math.round(area.share * 100)}% this force`,
    }
  }
  return null
}
