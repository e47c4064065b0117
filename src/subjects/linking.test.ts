import { describe, expect, it } from 'vitest'
import { type BatchIdentifier, planLinks } from './linking.js'

const row = (
  referralId: string,
  identifierId: string,
  over: Partial<BatchIdentifier> = {},
): BatchIdentifier => ({
  referralId,
  identifierId,
  kind: 'email',
  links: true,
  earlierReferrals: 0,
  subjectId: null,
  ...over,
})

describe('planLinks', () => {
  it('counts earlier referrals and the batch together against the cap', () => {
    // Two earlier referrals name identifier 9; with the batch's two it reaches 4, over a cap of 3.
    const plan = planLinks(
      ['1', '2'],
      [
        row('1', '9', { earlierReferrals: 2, subjectId: '50' }),
        row('2', '9', { earlierReferrals: 2, subjectId: '50' }),
      ],
      3,
    )
    expect(plan.groups.map((g) => g.referrals)).toEqual([['1'], ['2']])
    expect(plan.groups.every((g) => g.subjects.length === 0)).toBe(true)
    expect(plan.counts.get('9')).toEqual({ referrals: 4, subjectId: '50' })
    expect(plan.capped.get('1')).toEqual(['9'])
  })

  it('joins the batch to the subject earlier holders linked into, and merges subjects oldest first', () => {
    const plan = planLinks(
      ['1'],
      [
        row('1', '8', { earlierReferrals: 1, subjectId: '70' }),
        row('1', '9', { kind: 'phone', earlierReferrals: 3, subjectId: '60' }),
      ],
    )
    expect(plan.groups).toEqual([{ subjects: ['60', '70'], referrals: ['1'], identifiers: ['8', '9'] }])
    expect(plan.shared.get('1')).toEqual([
      { kind: 'email', id: '8' },
      { kind: 'phone', id: '9' },
    ])
  })

  it('counts a recipient toward the cap but never links through one', () => {
    const plan = planLinks(['1', '2'], [row('1', '9'), row('2', '9', { links: false })], 25)
    expect(plan.groups.map((g) => g.referrals)).toEqual([['1'], ['2']])
    expect(plan.counts.get('9')?.referrals).toBe(2)
    expect(plan.shared.get('1')).toEqual([{ kind: 'email', id: '9' }])
    expect(plan.shared.get('2')).toBeUndefined()
  })

  it('links a chain inside one batch and counts a referral naming an identifier twice once', () => {
    const plan = planLinks(
      ['1', '2', '3', '4'],
      [row('1', '8'), row('1', '8'), row('2', '8'), row('2', '9'), row('3', '9'), row('4', '7')],
    )
    expect(plan.groups.map((g) => g.referrals)).toEqual([['1', '2', '3'], ['4']])
    expect(plan.counts.get('8')?.referrals).toBe(2)
    expect(plan.shared.get('1')).toEqual([{ kind: 'email', id: '8' }])
    expect(plan.shared.get('4')).toBeUndefined()
  })
})
