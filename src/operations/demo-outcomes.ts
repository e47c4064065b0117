/**
 * Plans what forces "record" against demo subjects, so the outcome pages and national totals have content.
 * Dorset is scripted to echo the press release the demo is modelled on ("in Dorset eight men arrested,
 * three charged, five on bail"); elsewhere outcomes are drawn at plausible rates.
 */
import type { Rng } from './demo-prng.js'
import { OFFENCES } from './demo-vocab.js'

export type DemoOutcomeKind =
  | 'arrest'
  | 'voluntary_interview'
  | 'charge'
  | 'bail'
  | 'released_under_investigation'
  | 'no_further_action'
  | 'children_safeguarded'

export interface DemoOutcomeEvent {
  kind: DemoOutcomeKind
  /** Calendar date, YYYY-MM-DD. */
  occurredOn: string
  children?: number
  offence?: string
  bailUntil?: string
}

export interface DemoOutcomePlan {
  /** reportId of any referral of the subject; the loader finds the subject's package from it */
  reportId: string
  acknowledge: boolean
  events: DemoOutcomeEvent[]
}

export interface OutcomeSubject {
  forceId: string | null
  reportIds: number[]
  /** The subject's latest referral: no outcome may predate the force having the whole package. */
  lastReceivedAt: Date
  sextortion: boolean
}

/** Share of all subjects whose package a force acknowledges, and of those, the share arrested. */
const ACKNOWLEDGED_SHARE = 0.55
const ARRESTED_SHARE = 0.6
const DAY = 86_400_000

const epochDay = (d: Date): number => Math.floor(d.getTime() / DAY)
const dateOf = (day: number): string => new Date(day * DAY).toISOString().slice(0, 10)

interface Window {
  first: number
  last: number
  nowDay: number
}

function windowOf(subject: OutcomeSubject, now: Date): Window {
  // Outcomes start the day after the last referral and end the day before `now`, so none is in the future.
  return { first: epochDay(subject.lastReceivedAt) + 1, last: epochDay(now) - 1, nowDay: epochDay(now) }
}

const span = (w: Window): number => w.last - w.first + 1

function offencesFor(rng: Rng, subject: OutcomeSubject): string[] {
  if (subject.sextortion)
    return rng.chance(0.5) ? [OFFENCES.inciting, OFFENCES.communicating] : [OFFENCES.inciting]
  const main = rng.weighted([
    [OFFENCES.making, 5],
    [OFFENCES.possession, 3],
    [OFFENCES.distributing, 2],
  ] as const)
  const second = main === OFFENCES.possession ? OFFENCES.making : OFFENCES.possession
  return rng.chance(0.35) ? [main, second] : [main]
}

function childrenCount(rng: Rng): number {
  return rng.weighted([
    [1, 5],
    [2, 3],
    [3, 2],
  ] as const)
}

/** A bail return date: four to twelve weeks on, and never already past for someone still on bail. */
function bailUntil(rng: Rng, day: number, w: Window, stillOnBail: boolean): number {
  const until = day + rng.int(28, 84)
  return stillOnBail && until <= w.nowDay ? w.nowDay + rng.int(7, 42) : until
}

function arrestDay(rng: Rng, w: Window): number {
  // Most forces act within weeks; the span caps it for recent referrals.
  return w.first + rng.int(0, Math.min(span(w) - 1, 40))
}

type Path = 'charge' | 'bail' | 'rui' | 'nfa'

function arrestEvents(rng: Rng, subject: OutcomeSubject, w: Window, path: Path, safeguard: boolean) {
  const a = arrestDay(rng, w)
  const events: DemoOutcomeEvent[] = [{ kind: 'arrest', occurredOn: dateOf(a) }]
  if (safeguard)
    events.push({ kind: 'children_safeguarded', occurredOn: dateOf(a), children: childrenCount(rng) })
  const charge = (day: number) => {
    for (const offence of offencesFor(rng, subject))
      events.push({ kind: 'charge', occurredOn: dateOf(day), offence })
  }
  if (path === 'charge') charge(Math.min(a + rng.int(0, 1), w.last))
  else if (path === 'rui') events.push({ kind: 'released_under_investigation', occurredOn: dateOf(a) })
  else if (path === 'nfa') {
    events.push({ kind: 'no_further_action', occurredOn: dateOf(Math.min(a + rng.int(7, 40), w.last)) })
  } else {
    // Pre-charge bail; if the return date has passed, record what happened when the subject answered it.
    const stillOnBail = rng.chance(0.6)
    const until = bailUntil(rng, a, w, stillOnBail)
    events.push({ kind: 'bail', occurredOn: dateOf(a), bailUntil: dateOf(until) })
    if (until <= w.last) {
      const next = rng.weighted([
        ['charge', 4],
        ['rui', 3],
        ['nfa', 3],
      ] as const)
      if (next === 'charge') charge(until)
      else if (next === 'rui')
        events.push({ kind: 'released_under_investigation', occurredOn: dateOf(until) })
      else events.push({ kind: 'no_further_action', occurredOn: dateOf(until) })
    }
  }
  return events
}

function interviewEvents(rng: Rng, w: Window): DemoOutcomeEvent[] {
  const events: DemoOutcomeEvent[] = []
  if (rng.chance(0.45)) {
    const v = arrestDay(rng, w)
    events.push({ kind: 'voluntary_interview', occurredOn: dateOf(v) })
    const next = rng.weighted([
      ['rui', 4],
      ['nfa', 2],
      ['none', 4],
    ] as const)
    if (next === 'rui') events.push({ kind: 'released_under_investigation', occurredOn: dateOf(v) })
    if (next === 'nfa') {
      events.push({ kind: 'no_further_action', occurredOn: dateOf(Math.min(v + rng.int(7, 30), w.last)) })
    }
  }
  // Occasionally children are safeguarded from a visit alone, before any arrest.
  if (rng.chance(0.06))
    events.push({ kind: 'children_safeguarded', occurredOn: dateOf(w.first), children: 1 })
  return events
}

function plan(rng: Rng, subject: OutcomeSubject, events: DemoOutcomeEvent[]): DemoOutcomePlan {
  return { reportId: String(rng.pick(subject.reportIds)), acknowledge: true, events }
}

/** Dorset's eight arrests: the three oldest packages charged, the other five on bail as of `now`. */
function dorsetPlans(rng: Rng, dorset: OutcomeSubject[], now: Date): Map<OutcomeSubject, DemoOutcomePlan> {
  const plans = new Map<OutcomeSubject, DemoOutcomePlan>()
  const eligible = dorset
    .filter((s) => span(windowOf(s, now)) >= 3)
    .sort((a, b) => a.lastReceivedAt.getTime() - b.lastReceivedAt.getTime())
  if (eligible.length < 8) return plans
  eligible.slice(0, 8).forEach((subject, i) => {
    const w = windowOf(subject, now)
    // Two of the eight households had children in them (one charged, one bailed).
    const safeguard = i === 1 || i === 5
    const events =
      i < 3
        ? arrestEvents(rng, subject, w, 'charge', safeguard)
        : (() => {
            const a = arrestDay(rng, w)
            const out: DemoOutcomeEvent[] = [{ kind: 'arrest', occurredOn: dateOf(a) }]
            if (safeguard) out.push({ kind: 'children_safeguarded', occurredOn: dateOf(a), children: 2 })
            out.push({ kind: 'bail', occurredOn: dateOf(a), bailUntil: dateOf(bailUntil(rng, a, w, true)) })
            return out
          })()
    plans.set(subject, plan(rng, subject, events))
  })
  // One more Dorset package acknowledged and awaiting a voluntary interview; the rest not yet acknowledged.
  const extra = eligible[8]
  if (extra) {
    const v = arrestDay(rng, windowOf(extra, now))
    plans.set(extra, plan(rng, extra, [{ kind: 'voluntary_interview', occurredOn: dateOf(v) }]))
  }
  return plans
}

/**
 * One plan per acknowledged subject, in subject order. Subjects without an address have no force yet
 * (they wait in the national unresolved queue), so they never get outcomes.
 */
export function planOutcomes(rng: Rng, subjects: readonly OutcomeSubject[], now: Date): DemoOutcomePlan[] {
  const dorset = dorsetPlans(
    rng,
    subjects.filter((s) => s.forceId === 'dorset'),
    now,
  )
  const dorsetArrests = [...dorset.values()].filter((p) => p.events.some((e) => e.kind === 'arrest')).length
  const ackTarget = Math.round(subjects.length * ACKNOWLEDGED_SHARE)
  const candidates = rng.shuffle(
    subjects.filter((s) => s.forceId && s.forceId !== 'dorset' && span(windowOf(s, now)) >= 1),
  )
  const acknowledged = candidates.slice(0, Math.max(0, ackTarget - dorset.size))
  const arrestTarget = Math.max(0, Math.round(ackTarget * ARRESTED_SHARE) - dorsetArrests)
  const arrestable = new Set(acknowledged.filter((s) => span(windowOf(s, now)) >= 2).slice(0, arrestTarget))

  const plans = new Map(dorset)
  for (const subject of acknowledged) {
    const w = windowOf(subject, now)
    const events = arrestable.has(subject)
      ? arrestEvents(
          rng,
          subject,
          w,
          rng.weighted([
            ['charge', 30],
            ['bail', 30],
            ['rui', 25],
            ['nfa', 15],
          ] as const),
          rng.chance(0.32),
        )
      : interviewEvents(rng, w)
    plans.set(subject, plan(rng, subject, events))
  }
  return subjects.flatMap((s) => {
    const p = plans.get(s)
    return p ? [p] : []
  })
}
