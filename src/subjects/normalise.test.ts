import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { normaliseAccount, normaliseEmail, normaliseIp, normalisePhone } from './normalise.js'

describe(normaliseEmail.name, () => {
  it('folds case and surrounding space', () => {
    expect(normaliseEmail('  Fictional.User@Example.ORG ')).toBe('fictional.user@example.org')
  })
  it('refuses what is not an address', () => {
    for (const bad of ['', 'no-at-sign', 'a@b', 'two@@example.org', 'a b@example.org', '@example.org']) {
      expect(normaliseEmail(bad)).toBeNull()
    }
  })
  it('is idempotent and case-insensitive for any input', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        const once = normaliseEmail(email)
        expect(once).not.toBeNull()
        expect(normaliseEmail(once!)).toBe(once)
        expect(normaliseEmail(email.toUpperCase())).toBe(once)
      }),
    )
  })
})

describe(normalisePhone.name, () => {
  it('gives one E.164 value for the usual UK spellings', () => {
    for (const spelling of [
      '07700 900123',
      '+447700900123',
      '+44 (0)7700 900123',
      '0044 7700 900123',
      '07700-900-123',
    ]) {
      expect(normalisePhone(spelling)).toBe('+447700900123')
    }
  })
  it('keeps other countries as given', () => {
    expect(normalisePhone('+1 202 555 0143')).toBe('+12025550143')
  })
  it('refuses text and impossible lengths', () => {
    for (const bad of ['call me', '123', '+1234567890123456', '7700900123'])
      expect(normalisePhone(bad)).toBeNull()
  })
  it('maps every formatting of a UK mobile to the same value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 999 }), fc.constantFrom(' ', '-', ''), (n, sep) => {
        const local = String(n).padStart(3, '0')
        const expected = `+447700900${local}`
        expect(normalisePhone(`07700${sep}900${sep}${local}`)).toBe(expected)
        expect(normalisePhone(`+44${sep}7700${sep}900${local}`)).toBe(expected)
      }),
    )
  })
  it('never returns two different inputs of different digits as the same value', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^0[1-9][0-9]{9}$/), fc.stringMatching(/^0[1-9][0-9]{9}$/), (a, b) => {
        fc.pre(a !== b)
        expect(normalisePhone(a)).not.toBe(normalisePhone(b))
      }),
    )
  })
})

describe(normaliseAccount.name, () => {
  it('keeps the platform, so the same id on two platforms is two accounts', () => {
    expect(normaliseAccount('Example Chat', '100000001')).toBe('example chat|100000001')
    expect(normaliseAccount('Sample Social', '100000001')).not.toBe(
      normaliseAccount('Example Chat', '100000001'),
    )
  })
  it('refuses an account without a platform', () => {
    expect(normaliseAccount(null, '1')).toBeNull()
  })
})

describe(normaliseIp.name, () => {
  it('canonicalises IPv6 and IPv4', () => {
    expect(normaliseIp('2001:DB8:0:0:0:0:0:10')).toBe('2001:db8::10')
    expect(normaliseIp(' 192.0.2.10 ')).toBe('192.0.2.10')
    expect(normaliseIp('192.0.2.300')).toBeNull()
  })
  it('is idempotent for any address', () => {
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), (ip) => {
        const once = normaliseIp(ip)
        expect(once).not.toBeNull()
        expect(normaliseIp(once!)).toBe(once)
      }),
    )
  })
})
