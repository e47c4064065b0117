import type { OutcomeKind } from '../platform/schema.js'

export const OUTCOME_NAMES: Record<OutcomeKind, string> = {
  arrest: 'Arrest',
  voluntary_interview: 'Voluntary interview',
  charge: 'Charge',
  caution: 'Caution',
  bail: 'Bail',
  released_under_investigation: 'Released under investigation',
  no_further_action: 'No further action',
  children_safeguarded: 'Children safeguarded',
  premises_searched: 'Premises searched',
  devices_seized: 'Devices seized',
}

export const OUTCOME_KINDS = Object.keys(OUTCOME_NAMES) as OutcomeKind[]

export interface OutcomeInput {
  kind: string
  occurredOn: string
  children?: string | number | null
  offence?: string | null
  bailUntil?: string | null
  note?: string | null
}

export interface ValidOutcome {
  kind: OutcomeKind
  occurredOn: string
  children: number | null
  offence: string | null
  bailUntil: string | null
  note: string | null
}

function isoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false
  const d = new Date(`${value}T00:00:00Z`)
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === value
}

/** Checks an outcome as a force records it; returns field errors worded for the form. */
export function validateOutcome(
  input: OutcomeInput,
  today: string,
): { outcome?: ValidOutcome; errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const kind = input.kind as OutcomeKind
  if (!OUTCOME_KINDS.includes(kind)) errors.kind = 'Select what happened'
  const occurredOn = (input.occurredOn ?? '').trim()
  if (!isoDate(occurredOn)) errors.occurredOn = 'Enter the date it happened, for example 27 3 2026'
  else if (occurredOn > today) errors.occurredOn = 'The date it happened must be today or in the past'
  let children: number | null = null
  if (kind === 'children_safeguarded') {
    const n = Number(input.children)
    if (!Number.isInteger(n) || n < 1 || n > 500)
      errors.children = 'Enter how many children were safeguarded, a whole number from 1'
    else children = n
  }
  const offence = input.offence?.trim() || null
  if (kind === 'charge' && !offence) errors.offence = 'Enter the offence charged'
  const bailUntil = input.bailUntil?.trim() || null
  if (kind === 'bail') {
    if (!bailUntil || !isoDate(bailUntil)) errors.bailUntil = 'Enter the date bail ends'
    else if (isoDate(occurredOn) && bailUntil < occurredOn) errors.bailUntil = 'Bail must end after it starts'
  }
  if (Object.keys(errors).length > 0) return { errors }
  return {
    errors,
    outcome: {
      kind,
      occurredOn,
      children,
      offence: kind === 'charge' ? offence : null,
      bailUntil: kind === 'bail' ? bailUntil : null,
      note: input.note?.trim() || null,
    },
  }
}
