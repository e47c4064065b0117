import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { BlockList, isIP } from 'node:net'
import { parse } from 'csv-parse/sync'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildDemoOperation, DEMO_DEFAULT_NOW, type DemoOperation } from './demo-operation.js'
import { findRepoRoot } from './demo-reference.js'

// The test reads the reference files itself rather than trusting the generator's reading of them.
const root = new URL('../../', import.meta.url)
type Row = Record<string, string>
const readCsv = (name: string): Row[] =>
  parse(readFileSync(new URL(`reference/${name}`, root), 'utf8'), { columns: true }) as Row[]
const districtRows = new Map(readCsv('postcode_district_to_force.csv').map((r) => [r.district ?? '', r]))
const forceIds = readCsv('forces.csv').map((r) => r.id ?? '')

/** Just the parts of the law-enforcement JSON the tests look at. */
interface Capture {
  captureType: string
  value: string
  dateTime?: string
  port?: number | null
}
interface Person {
  espUserId: string | null
  espService: string | null
  emails: { emails: { value: string }[] } | null
  phones: { phones: { value: string }[] } | null
  addresses: { addresses: { street1: string; city: string; postalCode: string }[] } | null
  sourceInformation: { sourceCaptures: Capture[] }
}
interface UploadedFile {
  verificationHash: string
  viewedByEsp: boolean
  industryClassification: string | null
}
interface LeDoc {
  reportId: number
  informational: boolean
  dateReceived: string
  reportedInformation: {
    incidentSummary: { espEscalation?: string; reportAnnotations?: string[] }
    reportedPeople: { reportedPersons: Person[] }
    uploadedFiles: { uploadedFiles: UploadedFile[] }
  }
  additionalNcmecInformation: { priority: { priorityId: string } }
}

const docs = (demo: DemoOperation): LeDoc[] => demo.referrals as unknown as LeDoc[]
const personOf = (doc: LeDoc): Person => {
  const p = doc.reportedInformation.reportedPeople.reportedPersons[0]
  if (!p) throw new Error(`report ${doc.reportId} has no reported person`)
  return p
}

// Normalisation as the product should do it: case-folded e-mail, E.164 phone, platform + account id.
const normEmail = (v: string) => v.trim().toLowerCase()
const normPhone = (v: string) => {
  const digits = v.replace(/[^\d+]/g, '')
  if (digits.startsWith('+44')) return digits
  if (digits.startsWith('0044')) return `+44${digits.slice(4)}`
  if (digits.startsWith('0')) return `+44${digits.slice(1)}`
  return digits
}
const md5 = (text: string) => createHash('md5').update(text).digest('hex')
const districtOf = (postcode: string) => postcode.toUpperCase().replace(/\s+/g, '').slice(0, -3)

function linkKeys(doc: LeDoc): { kind: 'email' | 'phone' | 'account'; key: string }[] {
  const p = personOf(doc)
  return [
    ...(p.emails?.emails ?? []).map((e) => ({ kind: 'email' as const, key: `email:${normEmail(e.value)}` })),
    ...(p.phones?.phones ?? []).map((e) => ({ kind: 'phone' as const, key: `phone:${normPhone(e.value)}` })),
    { kind: 'account' as const, key: `account:${p.espService}|${p.espUserId}` },
  ]
}

/** Groups referrals into subjects by exact normalised identifiers (union-find). */
function subjectsOf(demo: DemoOperation): LeDoc[][] {
  const list = docs(demo)
  const parent = list.map((_, i) => i)
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i] ?? i] ?? i
    return i
  }
  const owner = new Map<string, number>()
  list.forEach((doc, i) => {
    for (const { key } of linkKeys(doc)) {
      const j = owner.get(key)
      if (j === undefined) owner.set(key, i)
      else parent[find(i)] = find(j)
    }
  })
  const groups = new Map<number, LeDoc[]>()
  list.forEach((doc, i) => {
    const g = groups.get(find(i)) ?? []
    g.push(doc)
    groups.set(find(i), g)
  })
  return [...groups.values()]
}

function forceOfSubject(subject: LeDoc[]): string | null {
  const forces = new Set<string>()
  for (const doc of subject) {
    for (const a of personOf(doc).addresses?.addresses ?? []) {
      const row = districtRows.get(districtOf(a.postalCode))
      if (!row) throw new Error(`unknown district in ${a.postalCode}`)
      forces.add(row.force_id ?? '')
    }
  }
  expect(forces.size).toBeLessThanOrEqual(1)
  return [...forces][0] ?? null
}

function walkStrings(value: unknown, visit: (s: string, key: string) => void, key = ''): void {
  if (typeof value === 'string') visit(value, key)
  else if (Array.isArray(value)) for (const v of value) walkStrings(v, visit, key)
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) walkStrings(v, visit, k)
  }
}

describe('buildDemoOperation', () => {
  let demo: DemoOperation
  let subjects: LeDoc[][]
  beforeAll(() => {
    demo = buildDemoOperation()
    subjects = subjectsOf(demo)
  })

  it('is deterministic for a seed and differs across seeds', () => {
    const again = buildDemoOperation()
    expect(JSON.stringify(again)).toBe(JSON.stringify(demo))
    expect(again).toEqual(demo)
    const other = buildDemoOperation({ seed: 7 })
    expect(JSON.stringify(other)).not.toBe(JSON.stringify(demo))
    expect(buildDemoOperation({ seed: 7 })).toEqual(other)
  })

  it('produces about 300 referrals with unique ascending report ids in the 90 days before now', () => {
    const list = docs(demo)
    expect(list).toHaveLength(300)
    const ids = list.map((d) => d.reportId)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids[0]).toBe(910000001)
    for (const id of ids) expect(Number.isInteger(id)).toBe(true)
    const now = DEMO_DEFAULT_NOW.getTime()
    for (const d of list) {
      const t = Date.parse(d.dateReceived)
      expect(t).toBeLessThan(now)
      expect(t).toBeGreaterThanOrEqual(now - 91 * 86_400_000)
    }
    expect(demo.operation).toMatchObject({ code: 'OP-LANTERN', name: 'Operation Lantern' })
  })

  it('links 2-4 referrals into one subject by one shared identifier in varied surface forms', () => {
    expect(subjects.length).toBeGreaterThanOrEqual(220)
    expect(subjects.length).toBeLessThanOrEqual(240)
    const multi = subjects.filter((s) => s.length > 1)
    expect(multi.length).toBeGreaterThanOrEqual(30)
    for (const s of multi) expect(s.length).toBeLessThanOrEqual(4)
    // Which kind of identifier every referral of the subject shares.
    const linkedBy = new Set<string>()
    let variedForms = 0
    for (const s of multi) {
      for (const kind of ['email', 'phone', 'account'] as const) {
        const keySets = s.map(
          (d) =>
            new Set(
              linkKeys(d)
                .filter((k) => k.kind === kind)
                .map((k) => k.key),
            ),
        )
        const shared = [...(keySets[0] ?? [])].filter((k) => keySets.every((set) => set.has(k)))
        if (shared.length > 0) linkedBy.add(kind)
      }
      const raw = s.flatMap((d) => [
        ...(personOf(d).emails?.emails ?? []).map((e) => e.value),
        ...(personOf(d).phones?.phones ?? []).map((p) => p.value),
      ])
      const normalised = raw.map((v) => (v.includes('@') ? normEmail(v) : normPhone(v)))
      if (new Set(raw).size > new Set(normalised).size) variedForms++
    }
    expect([...linkedBy].sort()).toEqual(['account', 'email', 'phone'])
    expect(variedForms).toBeGreaterThanOrEqual(10)
  })

  it('gives every one of the 45 forces at least two subjects, bigger forces more', () => {
    const perForce = new Map<string, number>()
    let unaddressed = 0
    for (const s of subjects) {
      const force = forceOfSubject(s)
      if (force) perForce.set(force, (perForce.get(force) ?? 0) + 1)
      else unaddressed++
    }
    expect(forceIds).toHaveLength(45)
    for (const id of forceIds) expect(perForce.get(id) ?? 0, id).toBeGreaterThanOrEqual(2)
    expect(unaddressed / subjects.length).toBeGreaterThan(0.05)
    expect(unaddressed / subjects.length).toBeLessThan(0.15)
    const met = perForce.get('metropolitan') ?? 0
    expect(met).toBeGreaterThan(perForce.get('cumbria') ?? 0)
    expect(perForce.get('west-midlands') ?? 0).toBeGreaterThan(2)
    expect(perForce.get('greater-manchester') ?? 0).toBeGreaterThan(2)
  })

  it('uses only active districts, high confidence wherever the force has one, with valid inward codes', () => {
    const hasHigh = new Set(
      [...districtRows.values()]
        .filter((r) => r.status === 'active' && r.confidence === 'high')
        .map((r) => r.force_id),
    )
    for (const doc of docs(demo)) {
      for (const a of personOf(doc).addresses?.addresses ?? []) {
        const row = districtRows.get(districtOf(a.postalCode))
        expect(row?.status).toBe('active')
        if (hasHigh.has(row?.force_id)) expect(row?.confidence, a.postalCode).toBe('high')
        expect(a.postalCode.toUpperCase().replace(/\s+/g, '').slice(-3)).toMatch(/^\d[ABD-HJLNP-UW-Z]{2}$/)
        expect(a.street1).toMatch(/^\d+ \w+ \w+$/)
      }
    }
  })

  it('keeps every e-mail, phone, IP and URL inside reserved ranges', () => {
    const reserved = new BlockList()
    reserved.addSubnet('192.0.2.0', 24, 'ipv4')
    reserved.addSubnet('198.51.100.0', 24, 'ipv4')
    reserved.addSubnet('203.0.113.0', 24, 'ipv4')
    reserved.addSubnet('2001:db8::', 32, 'ipv6')
    let ips = 0
    let emails = 0
    walkStrings(demo, (s, key) => {
      const family = isIP(s)
      if (family) {
        ips++
        expect(reserved.check(s, family === 4 ? 'ipv4' : 'ipv6'), s).toBe(true)
      }
      if (s.includes('@')) {
        emails++
        expect(s, key).toMatch(/^[^@\s]+@example\.(com|org|net)$/i)
      }
      if (/^https?:/.test(s)) expect(new URL(s).hostname).toMatch(/(^|\.)example\.(com|org|net)$/)
    })
    expect(ips).toBeGreaterThan(500)
    expect(emails).toBeGreaterThan(200)
    let phones = 0
    for (const doc of docs(demo)) {
      for (const p of personOf(doc).phones?.phones ?? []) {
        phones++
        expect(normPhone(p.value), p.value).toMatch(/^\+447700900\d{3}$/)
      }
      for (const c of personOf(doc).sourceInformation.sourceCaptures) {
        if (c.captureType === 'IP Address') expect(c.dateTime).toMatch(/^\d{4}-\d\d-\d\dT/)
        if (c.captureType === 'Device ID')
          expect(c.value).toMatch(/^[0-9a-f]{8}-0000-4000-8000-[0-9a-f]{12}$/)
      }
    }
    expect(phones).toBeGreaterThan(50)
  })

  it('has 1-6 files per referral, repeated files, and known hashes covering ~60% of them', () => {
    const occurrences = new Map<string, number>()
    const known = new Map(demo.knownHashes.map((k) => [k.md5, k]))
    expect(known.size).toBe(demo.knownHashes.length)
    let unmatched = 0
    const viewed = new Set<boolean>()
    for (const doc of docs(demo)) {
      const files = doc.reportedInformation.uploadedFiles.uploadedFiles
      expect(files.length).toBeGreaterThanOrEqual(1)
      expect(files.length).toBeLessThanOrEqual(6)
      for (const f of files) {
        expect(f.verificationHash).toMatch(/^[0-9a-f]{32}$/)
        expect([null, 'A1', 'A2', 'B1', 'B2']).toContain(f.industryClassification)
        viewed.add(f.viewedByEsp)
        occurrences.set(f.verificationHash, (occurrences.get(f.verificationHash) ?? 0) + 1)
      }
      if (!files.some((f) => known.has(f.verificationHash))) unmatched++
    }
    expect(viewed).toEqual(new Set([true, false]))
    expect([...occurrences.values()].filter((n) => n > 1).length).toBeGreaterThan(10)
    for (const md5 of known.keys()) expect(occurrences.has(md5)).toBe(true)
    const share = known.size / occurrences.size
    expect(share).toBeGreaterThan(0.5)
    expect(share).toBeLessThan(0.7)
    expect(unmatched).toBeGreaterThan(10)
    const byCategory = (c: string) => demo.knownHashes.filter((k) => k.category === c).length / known.size
    expect(byCategory('A')).toBeGreaterThan(0.1)
    expect(byCategory('C')).toBeGreaterThan(byCategory('B'))
    expect(demo.knownHashes.some((k) => k.series === 'Series ALPHA-DEMO')).toBe(true)
    // Hashes are MD5s of a synthetic string, never of any image.
    const all = new Set(
      Array.from({ length: occurrences.size }, (_, i) => md5(`footprint-demo-file-${i + 1}`)),
    )
    for (const h of occurrences.keys()) expect(all.has(h)).toBe(true)
  })

  it('carries escalation signals, annotations, informational flags and all NCMEC priorities', () => {
    const list = docs(demo)
    const summaries = list.map((d) => d.reportedInformation.incidentSummary)
    expect(summaries.filter((s) => s.espEscalation).length).toBeGreaterThanOrEqual(3)
    expect(
      summaries.filter((s) => s.reportAnnotations?.includes('sextortion')).length,
    ).toBeGreaterThanOrEqual(3)
    expect(list.filter((d) => d.informational).length).toBeGreaterThanOrEqual(3)
    const priorities = new Set(list.map((d) => d.additionalNcmecInformation.priority.priorityId))
    expect([...priorities].sort()).toEqual(['1', '2', '3', 'E'])
  })

  it('plans outcomes only for known reports, after the referrals and before now', () => {
    const subjectOf = new Map<string, LeDoc[]>()
    for (const s of subjects) for (const d of s) subjectOf.set(String(d.reportId), s)
    const seen = new Set<LeDoc[]>()
    const today = DEMO_DEFAULT_NOW.toISOString().slice(0, 10)
    for (const plan of demo.outcomePlan) {
      const subject = subjectOf.get(plan.reportId)
      expect(subject, plan.reportId).toBeDefined()
      if (!subject) continue
      expect(seen.has(subject), 'one plan per subject').toBe(false)
      seen.add(subject)
      expect(forceOfSubject(subject)).not.toBeNull()
      const lastReferral =
        subject
          .map((d) => d.dateReceived.slice(0, 10))
          .sort()
          .at(-1) ?? ''
      for (const e of plan.events) {
        expect(e.occurredOn > lastReferral, `${plan.reportId} ${e.kind}`).toBe(true)
        expect(e.occurredOn < today).toBe(true)
        if (e.kind === 'children_safeguarded') expect(e.children).toBeGreaterThanOrEqual(1)
        if (e.kind === 'charge') expect(e.offence).toMatch(/Act (1978|1988|2003)/)
        if (e.kind === 'bail') expect((e.bailUntil ?? '') > e.occurredOn).toBe(true)
      }
    }
    const share = demo.outcomePlan.length / subjects.length
    expect(share).toBeGreaterThan(0.5)
    expect(share).toBeLessThan(0.6)
    const events = demo.outcomePlan.flatMap((p) => p.events)
    const arrests = events.filter((e) => e.kind === 'arrest').length
    expect(arrests).toBeGreaterThanOrEqual(20)
    const children = events.reduce(
      (n, e) => n + (e.kind === 'children_safeguarded' ? (e.children ?? 0) : 0),
      0,
    )
    expect(children).toBeGreaterThanOrEqual(20)
    for (const kind of [
      'charge',
      'bail',
      'released_under_investigation',
      'no_further_action',
      'voluntary_interview',
    ]) {
      expect(
        events.some((e) => e.kind === kind),
        kind,
      ).toBe(true)
    }
  })

  it('echoes the Dorset press release: eight arrested, three charged, five on bail', () => {
    const byReport = new Map(docs(demo).map((d) => [String(d.reportId), d]))
    const today = DEMO_DEFAULT_NOW.toISOString().slice(0, 10)
    const dorset = demo.outcomePlan.filter((p) => {
      const doc = byReport.get(p.reportId)
      return doc && forceOfSubject(subjects.find((s) => s.includes(doc)) ?? []) === 'dorset'
    })
    const has = (p: (typeof dorset)[number], kind: string) => p.events.some((e) => e.kind === kind)
    expect(dorset.filter((p) => has(p, 'arrest'))).toHaveLength(8)
    expect(dorset.filter((p) => has(p, 'charge'))).toHaveLength(3)
    const onBail = dorset.filter((p) =>
      p.events.some((e) => e.kind === 'bail' && (e.bailUntil ?? '') > today),
    )
    expect(onBail).toHaveLength(5)
  })

  it('scales down and accepts injected reference data without reading files', () => {
    const small = buildDemoOperation({ referrals: 20, seed: 3 })
    expect(small.referrals).toHaveLength(20)
    const injected = buildDemoOperation({
      referrals: 12,
      forces: [
        { forceId: 'dorset', districts: ['DT1'] },
        { forceId: 'kent', districts: ['CT1'] },
      ],
    })
    const postcodes = docs(injected).flatMap((d) =>
      (personOf(d).addresses?.addresses ?? []).map((a) => a.postalCode),
    )
    expect(postcodes.length).toBeGreaterThan(0)
    for (const p of postcodes) expect(['DT1', 'CT1']).toContain(districtOf(p))
    expect(buildDemoOperation({ referrals: 600 }).referrals).toHaveLength(600)
  })

  it('finds the repository root from source and from a compiled location', () => {
    const rootPath = decodeURIComponent(root.pathname).replace(/\/$/, '')
    expect(findRepoRoot(`${rootPath}/src/operations`)).toBe(rootPath)
    expect(findRepoRoot(`${rootPath}/dist/src/operations`)).toBe(rootPath)
  })
})
