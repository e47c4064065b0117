import { z } from 'zod'

export const packageIdParams = z.object({ id: z.string().regex(/^\d+$/, 'a package id is a number') })

export const bandSchema = z.enum(['very_high', 'high', 'medium', 'low'])

export const packageSummarySchema = z.object({
  id: z.string(),
  reference: z.string(),
  subjectReference: z.string(),
  forceId: z.string(),
  forceName: z.string(),
  status: z.enum(['awaiting_review', 'disseminated', 'acknowledged', 'closed']),
  band: bandSchema,
  suggestedBand: bandSchema,
  version: z.number(),
  referrals: z.number(),
  createdAt: z.date(),
  disseminatedAt: z.date().nullable(),
  acknowledgedAt: z.date().nullable(),
})

export const packageDetailSchema = packageSummarySchema.extend({
  bandReasons: z.array(z.object({ rule: z.string(), text: z.string(), band: bandSchema })),
  bandChangeReason: z.string().nullable(),
  location: z.object({
    postcode: z.string().nullable(),
    method: z.string().nullable(),
    confidence: z.string().nullable(),
    reason: z.string().nullable(),
  }),
  matchesByCategory: z.array(z.object({ category: z.string(), files: z.number() })),
  identifiers: z.array(z.object({ kind: z.string(), value: z.string(), referrals: z.number() })),
  deconfliction: z.array(z.object({ forceName: z.string(), packages: z.number() })),
  outcomes: z.array(
    z.object({
      id: z.string(),
      kind: z.string(),
      occurredOn: z.string(),
      children: z.number().nullable(),
      offence: z.string().nullable(),
    }),
  ),
})

export const approveBody = z.object({
  band: bandSchema,
  reason: z.string().max(2000).nullable().optional(),
})
