/**
 * VICS `Category` integers mean different things per profile (formats.md §2-3), so the mapping to our
 * UK categories is configuration: profile name -> integer code (as text) -> UkCategory. Codes absent
 * from the table import as 'uncategorised' with the raw code kept in `sourceCategory` (`UK:3`), so a
 * mapping supplied later can re-grade them without re-importing the file.
 *
 * Defaults, and why they are so sparse:
 * - US: 0 = non-pertinent (GLEAPP and IPED both read it so) -> 'not_indecent'. US 1/2 classify
 *   content type, not UK severity; there is no lossless mapping to A/B/C, so they stay uncategorised.
 * - UK: no public source gives the CAID integer <-> A/B/C mapping, and Clees4All omits Category when
 *   its internal value is 0 (= not categorised), so even 0 is not portable. Nothing is assumed; the
 *   customer supplies the table.
 * - Default, CUSTOM and 1.x files (which name no profile): nothing is assumed ("never reinterpret 0
 *   across profiles").
 */
import type { UkCategory } from './hash-list-entry.js'

export type VicsProfile = 'Default' | 'US' | 'UK' | 'CUSTOM' | (string & {})

export type VicsCategoryMapping = Readonly<Record<string, Readonly<Record<string, UkCategory>>>>

export const DEFAULT_VICS_CATEGORY_MAPPING: VicsCategoryMapping = {
  Default: {},
  US: { '0': 'not_indecent' },
  UK: {},
  CUSTOM: {},
}

export function vicsCodeToCategory(mapping: VicsCategoryMapping, profile: string, code: string): UkCategory {
  return mapping[profile]?.[code] ?? 'uncategorised'
}

/**
 * The code to write for a category, or null to omit `Category` (absent = uncategorised in every
 * profile). Undefined when the profile has no code for it: the writer refuses rather than guess.
 */
export function vicsCategoryToCode(
  mapping: VicsCategoryMapping,
  profile: string,
  category: UkCategory,
): string | null | undefined {
  if (category === 'uncategorised') return null
  const table = mapping[profile] ?? {}
  const codes = Object.keys(table)
    .filter((code) => table[code] === category)
    .sort((a, b) => Number(a) - Number(b))
  return codes[0]
}
