import { isIP } from 'node:net'
import type { IdentifierKind } from '../intake/model.js'

/**
 * Identifier normalisation: two spellings of the same e-mail, phone or account must give the same
 * value, or the link between two referrals is missed; two different identifiers must never give
 * the same value, or police are pointed at the wrong person. So the rules are deliberately few and
 * exact — no fuzzy matching, no provider-specific tricks such as dropping Gmail dots.
 */

/** Lower-cased, trimmed, with one '@' and a dotted domain; null if it is not an e-mail address. */
export function normaliseEmail(raw: string): string | null {
  const value = raw.trim().toLowerCase()
  if (value.length > 254 || /\s/.test(value)) return null
  const at = value.lastIndexOf('@')
  if (at <= 0 || at !== value.indexOf('@')) return null
  const domain = value.slice(at + 1)
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) return null
  return value
}

/**
 * E.164 (+ and 8 to 15 digits). Numbers without a country code are read as UK numbers (this is a
 * UK system and UK reports give them as 07700 900123); '00' is the international prefix.
 */
export function normalisePhone(raw: string, defaultCountryCode = '44'): string | null {
  const trimmed = raw.trim()
  if (!/^[+0-9()\-.\s/]+$/.test(trimmed)) return null
  let digits = trimmed.replace(/[^0-9]/g, '')
  if (trimmed.startsWith('+')) {
    // '+44 (0)7700 900123': the national trunk 0 written in brackets after the country code.
    if (/^\+\s*44\s*\(0\)/.test(trimmed)) digits = `44${digits.slice(3)}`
  } else if (digits.startsWith('00')) {
    digits = digits.slice(2)
  } else if (digits.startsWith('0')) {
    digits = defaultCountryCode + digits.slice(1)
  } else {
    return null
  }
  if (digits.length < 8 || digits.length > 15 || digits.startsWith('0')) return null
  return `+${digits}`
}

/** An account is only an identifier together with its platform: 'user1' on two platforms is two people. */
export function normaliseAccount(platform: string | null, accountId: string): string | null {
  const id = accountId.trim()
  const service = (platform ?? '').trim().toLowerCase().replace(/\s+/g, ' ')
  if (id === '' || service === '') return null
  return `${service}|${id}`
}

/** Screen names are case-insensitive on most platforms; still scoped to the platform. */
export function normaliseScreenName(platform: string | null, screenName: string): string | null {
  const account = normaliseAccount(platform, screenName)
  return account === null ? null : account.toLowerCase()
}

/** Canonical text of an IPv4 or IPv6 address (IPv6 lower-case and compressed); null if not an IP. */
export function normaliseIp(raw: string): string | null {
  const value = raw.trim()
  const version = isIP(value)
  if (version === 4)
    return value
      .split('.')
      .map((octet) => String(Number(octet)))
      .join('.')
  if (version === 6) return new URL(`http://[${value}]/`).hostname.slice(1, -1)
  return null
}

export function normaliseDevice(valueType: string | null, raw: string): string | null {
  const value = raw.trim().toLowerCase()
  if (value === '') return null
  return `${(valueType ?? 'device').trim().toLowerCase()}|${value}`
}

export interface IdentifierInput {
  kind: IdentifierKind
  value: string
  platform: string | null
  valueType: string | null
}

export function normaliseIdentifier(input: IdentifierInput): string | null {
  switch (input.kind) {
    case 'email':
      return normaliseEmail(input.value)
    case 'phone':
      return normalisePhone(input.value)
    case 'account':
      return normaliseAccount(input.platform, input.value)
    case 'screen_name':
      return normaliseScreenName(input.platform, input.value)
    case 'ip':
      return normaliseIp(input.value)
    case 'device':
      return normaliseDevice(input.valueType, input.value)
  }
}

/** Kinds that identify a person on their own. IPs need time and port; screen names are too weak. */
export const LINKING_KINDS: readonly IdentifierKind[] = ['email', 'phone', 'account']
