import { createHash } from 'node:crypto'
import { type Actor, systemActor, type UserActor } from '../src/access/model.js'
import { createUser } from '../src/access/service.js'
import { addKnownHashes } from '../src/matching/repo.js'
import type { Db } from '../src/platform/db.js'
import type { ImageCategory, UserRole } from '../src/platform/schema.js'

let next = 0
/** Unique within a test file (each file has its own database). */
export function uniqueReportId(): number {
  next += 1
  return 800_000_000 + next
}

export function md5Of(text: string): string {
  return createHash('md5').update(text).digest('hex')
}

export interface ReferralSpec {
  reportId?: number
  email?: string
  phone?: string
  account?: { platform: string; id: string }
  postcode?: string | null
  files?: string[]
  escalation?: string
  annotations?: string[]
  priority?: string
}

/** A CyberTipline law-enforcement JSON report in the shape NCMEC delivers, with synthetic values. */
export function leReport(spec: ReferralSpec = {}): Record<string, unknown> {
  const reportId = spec.reportId ?? uniqueReportId()
  return {
    reportId,
    informational: false,
    dateReceived: '2026-11-01T10:00:00Z',
    reportedInformation: {
      reportingEsp: { espName: 'Example Platform Ltd' },
      incidentSummary: {
        incidentType: 'Child Pornography (possession, manufacture, and distribution)',
        platform: spec.account?.platform ?? 'Example Chat',
        incidentDateTime: '2026-10-31T21:04:00Z',
        ...(spec.escalation ? { espEscalation: spec.escalation } : {}),
        ...(spec.annotations ? { reportAnnotations: spec.annotations } : {}),
      },
      reportedPeople: {
        reportedPersons: [
          {
            firstName: 'Sam',
            lastName: 'Example',
            espUserId: spec.account?.id ?? String(reportId),
            espService: spec.account?.platform ?? 'Example Chat',
            emails: { emails: spec.email ? [{ value: spec.email, verified: true }] : [] },
            phones: { phones: spec.phone ? [{ value: spec.phone, verified: false }] : [] },
            addresses:
              spec.postcode === null || spec.postcode === undefined
                ? null
                : {
                    addresses: [
                      {
                        street1: '14 Example Road',
                        city: 'Exampleton',
                        postalCode: spec.postcode,
                        country: 'GB',
                      },
                    ],
                  },
            sourceInformation: {
              sourceCaptures: [
                {
                  captureType: 'IP Address',
                  value: '192.0.2.10',
                  eventName: 'LOGIN',
                  dateTime: '2026-10-31T20:55:00Z',
                  port: 51234,
                },
              ],
            },
          },
        ],
      },
      uploadedFiles: {
        uploadedFiles: (spec.files ?? []).map((text, i) => ({
          filename: `${reportId}-file-${i + 1}.jpg`,
          originalFilename: `IMG_${i}.jpg`,
          verificationHash: md5Of(text),
          viewedByEsp: i % 2 === 0,
          publiclyAvailable: false,
        })),
      },
    },
    additionalNcmecInformation: { priority: { priorityId: spec.priority ?? '2', value: 'Priority' } },
  }
}

export function documentOf(report: Record<string, unknown>, fileName = `${String(report.reportId)}.json`) {
  return { fileName, body: Buffer.from(JSON.stringify(report)) }
}

export async function knownHashes(
  db: Db,
  entries: { text: string; category: ImageCategory }[],
  set = 'Test set',
) {
  await db.transaction().execute((tx) =>
    addKnownHashes(
      tx,
      { name: set, source: 'tests' },
      entries.map((e) => ({ algorithm: 'md5', value: md5Of(e.text), category: e.category, series: null })),
    ),
  )
}

export const TEST_PASSWORD = 'correct horse battery staple'

export async function makeUser(
  db: Db,
  username: string,
  role: UserRole,
  forceId: string | null = null,
): Promise<UserActor> {
  const userId = await createUser(db, systemActor('tests'), {
    username,
    displayName: username,
    role,
    forceId,
    password: TEST_PASSWORD,
  })
  return { kind: 'user', userId, username, displayName: username, role, forceId }
}

export const INTAKE: Actor = systemActor('tests')
