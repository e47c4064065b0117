import { describe, expect, it } from 'vitest'
import type { ForceFigures } from './figures.js'
import { forcePressLine, nationalPressLine } from './press-line.js'

const asOf = new Date('2026-11-29T10:00:00Z')
const zero = {
  packagesSent: 0,
  acknowledged: 0,
  overdue: 0,
  peopleArrested: 0,
  peopleCharged: 0,
  onBail: 0,
  childrenSafeguarded: 0,
}

describe(nationalPressLine.name, () => {
  it('reads as the police publish it', () => {
    expect(nationalPressLine({ ...zero, childrenSafeguarded: 431, peopleArrested: 660 }, asOf)).toBe(
      'As of 29 November 2026, 431 children have been safeguarded and 660 people arrested across the UK.',
    )
  })
  it('uses the singular for one', () => {
    expect(nationalPressLine({ ...zero, childrenSafeguarded: 1, peopleArrested: 1 }, asOf)).toBe(
      'As of 29 November 2026, 1 child has been safeguarded and 1 person arrested across the UK.',
    )
  })
})

describe(forcePressLine.name, () => {
  it('gives a force its own figures', () => {
    const dorset: ForceFigures = {
      ...zero,
      forceId: 'dorset',
      forceName: 'Dorset Police',
      country: 'England',
      peopleArrested: 8,
      peopleCharged: 3,
      onBail: 5,
      childrenSafeguarded: 2,
    }
    expect(forcePressLine(dorset, asOf)).toBe(
      'As of 29 November 2026, in the Dorset Police area 8 people have been arrested, 3 charged and 5 are on bail; 2 children have been safeguarded.',
    )
  })
})
