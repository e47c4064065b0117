/**
 * Plans the demo's subjects (who they are, where they live) and which identifiers each of their referrals
 * carries. Linking is deliberate: a multi-referral subject's referrals share exactly one kind of identifier
 * (e-mail, phone or platform account), written in different surface forms, and nothing else, so the demo
 * shows each linking rule and its normalisation working on its own.
 */
import type { Rng } from './demo-prng.js'
import type { DemoForceDistricts } from './demo-reference.js'
import {
  type DemoPlatform,
  EMAIL_DOMAINS,
  FIRST_NAMES,
  INWARD_LETTERS,
  LAST_NAMES,
  PLATFORMS,
  STREET_NAMES,
  STREET_TYPES,
  townsForForce,
} from './demo-vocab.js'

export type LinkKind = 'email' | 'phone' | 'account'

export interface DemoAddress {
  street1: string
  city: string
  /** As written in the report; usually 'DT1 4XY', sometimes without the space or in lower case. */
  postalCode: string
  forceId: string
  district: string
}

export interface DemoSubject {
  index: number
  address: DemoAddress | null
  /** Town for the ESP's estimated location and NCMEC's geo look-up; null when nothing is known. */
  town: string | null
  firstName: string | null
  lastName: string | null
  dateOfBirth: string | null
  /** Canonical (lower-case) e-mail. */
  email: string
  /** Canonical E.164 phone, or null when the subject has none. */
  phone: string | null
  platform: DemoPlatform
  screenName: string
  /** How this subject's referrals link; null for a subject with one referral. */
  linkKind: LinkKind | null
  referralCount: number
}

/** What one referral says about its reported person. */
export interface DemoPersonPlan {
  platform: DemoPlatform
  espUserId: string
  screenName: string
  emails: string[]
  phones: string[]
  address: DemoAddress | null
  firstName: string | null
  lastName: string | null
  dateOfBirth: string | null
}

/** Dorset gets enough subjects to echo the press release (eight arrested, three charged, five on bail). */
export const DORSET_SUBJECTS = 12

/** Rough relative size of the bigger forces, so the national picture looks like the real one. */
const FORCE_WEIGHTS: Record<string, number> = {
  metropolitan: 9,
  'west-midlands': 4,
  'greater-manchester': 4,
  'police-scotland': 4,
  'west-yorkshire': 3,
  'thames-valley': 3,
  hampshire: 2.5,
  kent: 2.5,
  'avon-and-somerset': 2,
  'devon-and-cornwall': 2,
  essex: 2,
  lancashire: 2,
  northumbria: 2,
  'south-yorkshire': 2,
  merseyside: 2,
  sussex: 2,
  'northern-ireland': 2,
  'south-wales': 1.5,
  // A square mile with few residents: two subjects are plenty.
  'city-of-london': 0,
  // Fixed by DORSET_SUBJECTS instead.
  dorset: 0,
}

/**
 * Force of each addressed subject. Every force first gets two (Dorset its fixed share), the rest go by
 * size; with too few subjects for that, forces are taken in a shuffled round-robin.
 */
export function allocateForces(rng: Rng, forces: readonly DemoForceDistricts[], count: number): string[] {
  const ids = forces.map((f) => f.forceId)
  const floor = ids.map((id) => (id === 'dorset' ? DORSET_SUBJECTS : 2))
  const floorTotal = floor.reduce((a, b) => a + b, 0)
  if (count < floorTotal) {
    const order = rng.shuffle(ids)
    return Array.from({ length: count }, (_, i) => order[i % order.length] as string)
  }
  const out = ids.flatMap((id, i) => Array<string>(floor[i] ?? 0).fill(id))
  // Proportional shares (floored) keep big forces big for every seed; only the remainder is drawn.
  const weights = ids.map((id) => [id, FORCE_WEIGHTS[id] ?? 1] as const)
  const totalWeight = weights.reduce((sum, [, w]) => sum + w, 0)
  const spare = count - floorTotal
  for (const [id, w] of weights) out.push(...Array<string>(Math.floor((spare * w) / totalWeight)).fill(id))
  while (out.length < count) out.push(rng.weighted(weights))
  return rng.shuffle(out)
}

/** Splits `referrals` over `subjects`: most have one, some two to four (at most four each). */
export function referralCounts(rng: Rng, subjects: number, referrals: number): number[] {
  const counts = Array<number>(subjects).fill(1)
  let extra = Math.max(0, referrals - subjects)
  const order = rng.shuffle(counts.map((_, i) => i))
  for (const i of order) {
    if (extra === 0) break
    const add = Math.min(
      extra,
      rng.weighted([
        [1, 6],
        [2, 3],
        [3, 1],
      ] as const),
    )
    counts[i] = 1 + add
    extra -= add
  }
  // Only reachable when referrals > 4 × subjects, which the caller's ratio never asks for.
  if (extra > 0) throw new Error('demo: too many referrals for the number of subjects')
  return counts
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0')
}

function makeAddress(rng: Rng, forces: readonly DemoForceDistricts[], forceId: string): DemoAddress {
  const forceIndex = forces.findIndex((f) => f.forceId === forceId)
  const force = forces[forceIndex]
  if (!force) throw new Error(`demo: unknown force ${forceId}`)
  const district = rng.pick(force.districts)
  const inward = `${rng.int(0, 9)}${rng.pick([...INWARD_LETTERS])}${rng.pick([...INWARD_LETTERS])}`
  // A few postcodes arrive untidy, as they do from platforms, so district extraction is exercised.
  const form = rng.weighted([
    ['tidy', 92],
    ['nospace', 4],
    ['lower', 4],
  ] as const)
  const postalCode =
    form === 'nospace'
      ? `${district}${inward}`
      : form === 'lower'
        ? `${district} ${inward}`.toLowerCase()
        : `${district} ${inward}`
  return {
    street1: `${rng.int(1, 180)} ${rng.pick(STREET_NAMES)} ${rng.pick(STREET_TYPES)}`,
    city: rng.pick(townsForForce(forceIndex)),
    postalCode,
    forceId,
    district,
  }
}

export interface SubjectPlanInput {
  forces: readonly DemoForceDistricts[]
  subjects: number
  unaddressed: number
  referrals: number
  now: Date
}

export function planSubjects(rng: Rng, input: SubjectPlanInput): DemoSubject[] {
  const { forces, subjects, unaddressed } = input
  const forceOf = allocateForces(rng, forces, subjects - unaddressed)
  // Unaddressed subjects are scattered through the list rather than bunched at the end.
  const forceSlots: (string | null)[] = rng.shuffle([...forceOf, ...Array<null>(unaddressed).fill(null)])
  const counts = referralCounts(rng, subjects, input.referrals)
  // Each subject gets its own number from the 1,000-number drama range, so phones never link by accident.
  const phonePool = rng.shuffle(Array.from({ length: 1000 }, (_, i) => i))
  const nowYear = input.now.getUTCFullYear()

  return forceSlots.map((forceId, index) => {
    const referralCount = counts[index] ?? 1
    const linkKind: LinkKind | null =
      referralCount > 1
        ? rng.weighted([
            ['email', 4],
            ['phone', 3],
            ['account', 4],
          ] as const)
        : null
    const first = rng.pick(FIRST_NAMES)
    const last = rng.pick(LAST_NAMES)
    const address = forceId ? makeAddress(rng, forces, forceId) : null
    const named = address ? rng.chance(0.75) : rng.chance(0.2)
    const wantsPhone = linkKind === 'phone' || rng.chance(0.45)
    const phoneSlot = wantsPhone ? phonePool[index] : undefined
    const domain = rng.pick(EMAIL_DOMAINS)
    return {
      index,
      address,
      town: address ? address.city : null,
      firstName: named ? first : null,
      lastName: named ? last : null,
      dateOfBirth: rng.chance(0.7)
        ? `${nowYear - rng.int(19, 64)}-${pad(rng.int(1, 12), 2)}-${pad(rng.int(1, 28), 2)}`
        : null,
      email: `${first}.${last}${index + 1}@${domain}`.toLowerCase(),
      phone: phoneSlot === undefined ? null : `+447700900${pad(phoneSlot, 3)}`,
      platform: rng.pick(PLATFORMS),
      screenName: `${first.toLowerCase()}_${rng.pick(STREET_NAMES).toLowerCase()}${index + 1}`,
      linkKind,
      referralCount,
    }
  })
}

/** The same e-mail as a platform might record it: case is not significant to anyone but the RFC. */
function emailForm(rng: Rng, email: string): string {
  const [local = '', domain = ''] = email.split('@')
  const capitalised = local.replace(/(^|\.)([a-z])/g, (_, dot: string, c: string) => dot + c.toUpperCase())
  return rng.weighted([
    [email, 3],
    [email.toUpperCase(), 2],
    [`${capitalised}@${domain}`, 2],
    [`${local}@${domain.toUpperCase()}`, 1],
  ] as const)
}

/** The same UK mobile number in the forms users and platforms type it. */
function phoneForm(rng: Rng, e164: string): string {
  const national = `0${e164.slice(3)}`
  return rng.weighted([
    [e164, 3],
    [`${national.slice(0, 5)} ${national.slice(5)}`, 3],
    [national, 2],
    [`+44 ${e164.slice(3, 7)} ${e164.slice(7)}`, 2],
    [`0044${e164.slice(3)}`, 1],
  ] as const)
}

function accountId(subject: DemoSubject, k: number): string {
  return String(310000000 + subject.index * 10 + k)
}

/**
 * The reported person in the k-th referral of a subject. Only the link identifier recurs across the
 * subject's referrals; the others appear once (first referral) or are fresh per referral.
 */
export function personForReferral(rng: Rng, subject: DemoSubject, k: number): DemoPersonPlan {
  const first = k === 0
  const link = subject.linkKind
  const sameAccount = link === 'account' || link === null
  // E-mail- and phone-linked subjects turn up on different platforms (or new accounts) each time.
  const platform = sameAccount || first ? subject.platform : rng.pick(PLATFORMS)
  const emails: string[] = []
  if (link === 'email') emails.push(first ? subject.email : emailForm(rng, subject.email))
  else if (first && rng.chance(0.85)) emails.push(subject.email)
  else if (link === 'phone' && rng.chance(0.6)) {
    const [local = '', domain = ''] = subject.email.split('@')
    emails.push(`${local}.alt${k}@${domain}`)
  }
  const phones: string[] = []
  if (subject.phone && (link === 'phone' || first)) phones.push(phoneForm(rng, subject.phone))
  return {
    platform,
    espUserId: accountId(subject, sameAccount ? 0 : k),
    // Renamed on later referrals, so a same-account subject links by the account id alone.
    screenName: first ? subject.screenName : `${subject.screenName}_${k + 1}`,
    emails,
    phones,
    address: subject.address && (first || rng.chance(0.5)) ? subject.address : null,
    firstName: first || rng.chance(0.5) ? subject.firstName : null,
    lastName: first || rng.chance(0.5) ? subject.lastName : null,
    dateOfBirth: first ? subject.dateOfBirth : null,
  }
}
