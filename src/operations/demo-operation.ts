/**
 * The demo operation loaded on first start, so every page has content. Entirely synthetic: invented
 * names and places, reserved e-mail domains, phone numbers and IP ranges, and file "hashes" that are MD5s
 * of the text `footprint-demo-file-<n>` (there is no imagery behind them).
 *
 * `buildDemoOperation` is deterministic: its only inputs are the options and the reference data, and it
 * draws every random choice from its own seeded PRNG, so one seed always gives byte-identical output.
 * Reference data: by default reference/postcode_district_to_force.csv and reference/forces.csv are read
 * (once, then cached) from the repository root, found by walking up from this module so it works from
 * both src/ and dist/src/; pass `forces` to supply the district list instead (no file access then).
 */
import { createHash } from 'node:crypto'
import { type DemoOutcomePlan, type OutcomeSubject, planOutcomes } from './demo-outcomes.js'
import { createRng, type Rng } from './demo-prng.js'
import { type DemoForceDistricts, loadDemoReference } from './demo-reference.js'
import {
  buildReferralDocument,
  type DemoFile,
  type DemoReferralPlan,
  type IndustryClassification,
  type NcmecPriority,
} from './demo-referral.js'
import { type DemoPersonPlan, type DemoSubject, personForReferral, planSubjects } from './demo-subjects.js'
import { ESCALATIONS, SERIES } from './demo-vocab.js'

export type { DemoOutcomeEvent, DemoOutcomeKind, DemoOutcomePlan } from './demo-outcomes.js'
export type { DemoForceDistricts } from './demo-reference.js'

export type KnownHashCategory = 'A' | 'B' | 'C'

export interface DemoKnownHash {
  md5: string
  category: KnownHashCategory
  series: string | null
}

export interface DemoOperation {
  operation: { code: string; name: string; startedOn: string }
  /** CyberTipline law-enforcement JSON documents, same shape as the shared skeleton. */
  referrals: Record<string, unknown>[]
  knownHashes: DemoKnownHash[]
  outcomePlan: DemoOutcomePlan[]
}

export interface DemoOptions {
  seed?: number
  /** Number of referrals; about 77% as many subjects. */
  referrals?: number
  /** The moment the demo is "as of"; all referral dates are in the 90 days before it. */
  now?: Date
  /** Districts per force; defaults to the repository's reference files. */
  forces?: readonly DemoForceDistricts[]
}

export const DEMO_DEFAULT_SEED = 20261120
export const DEMO_DEFAULT_REFERRALS = 300
/** Fixed rather than the clock, so the default demo is reproducible. */
export const DEMO_DEFAULT_NOW = new Date('2026-11-20T09:00:00Z')
export const DEMO_FIRST_REPORT_ID = 910000001

const DAY = 86_400_000
/** Subjects per referral: 300 referrals give about 231 subjects. */
const SUBJECT_RATIO = 0.77
/** Share of subjects with no address: they wait in the national unresolved queue. */
const UNADDRESSED_SHARE = 0.1
/** Chance a newly seen file is on the known-hash list (tuned so ~60% of distinct hashes are known). */
const KNOWN_FILE_CHANCE = 0.68
/** Chance a file slot reuses a file already seen in another referral. */
const REUSE_CHANCE = 0.18

interface Draft {
  subject: DemoSubject
  k: number
  receivedAt: Date
  person: DemoPersonPlan
}

/** Every usable host address of the three RFC 5737 blocks, shuffled: one per referral, never shared. */
function ipv4Pool(rng: Rng): string[] {
  const blocks = ['192.0.2', '198.51.100', '203.0.113']
  return rng.shuffle(blocks.flatMap((b) => Array.from({ length: 254 }, (_, i) => `${b}.${i + 1}`)))
}

function hex(rng: Rng, digits: number): string {
  let out = ''
  for (let i = 0; i < digits; i++) out += rng.int(0, 15).toString(16)
  return out
}

function md5(text: string): string {
  return createHash('md5').update(text).digest('hex')
}

/** Picks disjoint index sets of the given sizes, so one referral carries at most one kind of signal. */
function disjointSets(rng: Rng, total: number, sizes: number[]): Set<number>[] {
  const order = rng.shuffle(Array.from({ length: total }, (_, i) => i))
  let at = 0
  return sizes.map((size) => {
    const set = new Set(order.slice(at, at + size))
    at += size
    return set
  })
}

class FileBank {
  readonly files: DemoFile[] = []
  readonly known: DemoKnownHash[] = []
  /** Files that may turn up again in another referral. */
  private readonly shareable: DemoFile[] = []

  constructor(private readonly rng: Rng) {}

  private create(canBeKnown: boolean, shareable: boolean): DemoFile {
    const n = this.files.length + 1
    const file: DemoFile = { n, md5: md5(`footprint-demo-file-${n}`), video: this.rng.chance(0.15) }
    this.files.push(file)
    if (shareable) this.shareable.push(file)
    if (canBeKnown && this.rng.chance(KNOWN_FILE_CHANCE)) {
      const category = this.rng.weighted([
        ['A', 20],
        ['B', 30],
        ['C', 50],
      ] as const)
      this.known.push({
        md5: file.md5,
        category,
        series: this.rng.chance(0.3) ? this.rng.pick(SERIES) : null,
      })
    }
    return file
  }

  /** Files for one referral; a no-match referral gets only new files that no list knows. */
  forReferral(count: number, noMatch: boolean): DemoFile[] {
    const chosen: DemoFile[] = []
    for (let i = 0; i < count; i++) {
      const reuse = !noMatch && this.shareable.length > 0 && this.rng.chance(REUSE_CHANCE)
      const candidate = reuse ? this.rng.pick(this.shareable) : undefined
      chosen.push(candidate && !chosen.includes(candidate) ? candidate : this.create(!noMatch, !noMatch))
    }
    return chosen
  }
}

function classification(rng: Rng): IndustryClassification | null {
  return rng.weighted([
    ['A1', 2],
    ['A2', 2],
    ['B1', 2],
    ['B2', 2],
    [null, 2],
  ] as const)
}

export function buildDemoOperation(options: DemoOptions = {}): DemoOperation {
  const seed = options.seed ?? DEMO_DEFAULT_SEED
  const referralTotal = Math.max(1, Math.floor(options.referrals ?? DEMO_DEFAULT_REFERRALS))
  const now = options.now ?? DEMO_DEFAULT_NOW
  const forces = options.forces ?? loadDemoReference()
  const rng = createRng(seed)

  const subjectCount = Math.max(1, Math.round(referralTotal * SUBJECT_RATIO))
  const subjects = planSubjects(rng, {
    forces,
    subjects: subjectCount,
    unaddressed: Math.round(subjectCount * UNADDRESSED_SHARE),
    referrals: referralTotal,
    now,
  })

  // Received between 90 and 2 days ago: old enough for NCMEC to have made every report available.
  const earliest = now.getTime() - 90 * DAY
  const latest = now.getTime() - 2 * DAY
  const randomReceived = () =>
    new Date(Math.floor((earliest + rng.next() * (latest - earliest)) / 60_000) * 60_000)
  const drafts: Draft[] = subjects.flatMap((subject) =>
    // Sorted per subject so the fullest report (k = 0, see personForReferral) is the subject's first.
    Array.from({ length: subject.referralCount }, randomReceived)
      .sort((a, b) => a.getTime() - b.getTime())
      .map((receivedAt, k) => ({ subject, k, receivedAt, person: personForReferral(rng, subject, k) })),
  )
  // Report ids rise with time, as NCMEC's do.
  drafts.sort(
    (a, b) =>
      a.receivedAt.getTime() - b.receivedAt.getTime() || a.subject.index - b.subject.index || a.k - b.k,
  )

  const n = drafts.length
  const [escalated, sextortion, solicitation, informational, noMatch] = disjointSets(rng, n, [
    Math.max(1, Math.round(n * 0.04)),
    Math.max(1, Math.round(n * 0.04)),
    Math.round(n * 0.02),
    Math.max(1, Math.round(n * 0.05)),
    Math.max(1, Math.round(n * 0.12)),
  ]) as [Set<number>, Set<number>, Set<number>, Set<number>, Set<number>]
  const ips = ipv4Pool(rng)
  const bank = new FileBank(rng)
  let devices = 0

  const plans: DemoReferralPlan[] = drafts.map((draft, i) => {
    const annotations = sextortion.has(i) ? ['sextortion'] : solicitation.has(i) ? ['csamSolicitation'] : []
    const priority: NcmecPriority = escalated.has(i)
      ? 'E'
      : informational.has(i)
        ? '3'
        : annotations.length > 0
          ? '1'
          : rng.weighted([
              ['1', 15],
              ['2', 50],
              ['3', 35],
            ] as const)
    const fileCount = rng.weighted([
      [1, 30],
      [2, 25],
      [3, 18],
      [4, 12],
      [5, 8],
      [6, 7],
    ] as const)
    const files = bank.forReferral(fileCount, noMatch.has(i)).map((file) => ({
      file,
      viewedByEsp: rng.chance(0.65),
      industryClassification: classification(rng),
    }))
    const reportId = DEMO_FIRST_REPORT_ID + i
    return {
      reportId,
      receivedAt: draft.receivedAt,
      person: draft.person,
      town: draft.subject.town,
      ipv4: ips[i] ?? null,
      // Unique per subject and referral: IPs must not link subjects by accident.
      ipv6: `2001:db8:${(draft.subject.index + 1).toString(16)}:${(draft.k + 1).toString(16)}::${rng.int(1, 0xffff).toString(16)}`,
      deviceId: rng.chance(0.6)
        ? `${hex(rng, 8)}-0000-4000-8000-${(++devices).toString(16).padStart(12, '0')}`
        : null,
      files,
      escalation: escalated.has(i) ? rng.pick(ESCALATIONS) : null,
      annotations,
      informational: informational.has(i),
      priority,
      recipientAccountId: sextortion.has(i) ? String(820000000 + reportId - DEMO_FIRST_REPORT_ID) : null,
    }
  })
  const referrals = plans.map((plan) => buildReferralDocument(rng, plan, now))

  const outcomeSubjects: OutcomeSubject[] = subjects.map((subject) => {
    const own = plans.filter((_, i) => drafts[i]?.subject === subject)
    return {
      forceId: subject.address?.forceId ?? null,
      reportIds: own.map((p) => p.reportId),
      lastReceivedAt: new Date(Math.max(...own.map((p) => p.receivedAt.getTime()))),
      sextortion: own.some((p) => p.annotations.includes('sextortion')),
    }
  })

  return {
    operation: {
      code: 'OP-LANTERN',
      name: 'Operation Lantern',
      startedOn: new Date(earliest - 5 * DAY).toISOString().slice(0, 10),
    },
    referrals,
    knownHashes: bank.known,
    outcomePlan: planOutcomes(rng, outcomeSubjects, now),
  }
}
