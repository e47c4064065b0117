/**
 * Writes one demo referral as a CyberTipline law-enforcement JSON document, in the shape of
 * shared/testdata/formats/cybertipline/le-export/le-report-shape.SYNTHETIC.json. Everything that could
 * identify anyone is drawn from reserved ranges: example.* domains, the Ofcom drama phone range and the
 * RFC 5737 / RFC 3849 documentation IP blocks.
 */
import type { Rng } from './demo-prng.js'
import type { DemoPersonPlan } from './demo-subjects.js'
import { ISPS } from './demo-vocab.js'

export type NcmecPriority = '1' | '2' | '3' | 'E'
export type IndustryClassification = 'A1' | 'A2' | 'B1' | 'B2'

export interface DemoFile {
  /** Sequence number; the MD5 is of `footprint-demo-file-<n>`. */
  n: number
  md5: string
  video: boolean
}

export interface DemoReferralPlan {
  reportId: number
  receivedAt: Date
  person: DemoPersonPlan
  /** Town for estimated locations and geo look-ups. */
  town: string | null
  ipv4: string | null
  ipv6: string
  deviceId: string | null
  files: { file: DemoFile; viewedByEsp: boolean; industryClassification: IndustryClassification | null }[]
  escalation: string | null
  annotations: string[]
  informational: boolean
  priority: NcmecPriority
  /** For sextortion referrals: the (fictional) account the subject targeted. */
  recipientAccountId: string | null
}

const MINUTE = 60_000
const HOUR = 60 * MINUTE

/** ISO 8601 to the second, as the LE download writes it (no milliseconds). */
export function iso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function at(base: Date, offsetMs: number): Date {
  // Whole minutes, so generated times look like platform log times rather than arithmetic.
  return new Date(Math.round((base.getTime() + offsetMs) / MINUTE) * MINUTE)
}

const PRIORITY_LABELS: Record<NcmecPriority, string> = {
  E: 'Priority E - escalated (demo label)',
  '1': 'Priority 1 (demo label)',
  '2': 'Priority 2 (demo label)',
  '3': 'Priority 3 (demo label)',
}

function ipCapture(value: string, event: string, when: Date, port: number | null, proxy: boolean | null) {
  return {
    captureType: 'IP Address',
    valueType: null,
    value,
    eventName: event,
    dateTime: iso(when),
    port,
    possibleProxy: proxy,
  }
}

export function buildReferralDocument(rng: Rng, plan: DemoReferralPlan, now: Date): Record<string, unknown> {
  const person = plan.person
  const platform = person.platform
  const incidentAt = at(plan.receivedAt, -rng.int(1 * 60, 10 * 24 * 60) * MINUTE)
  const loginAt = at(incidentAt, -rng.int(5, 120) * MINUTE)
  const madeAvailable = new Date(
    Math.min(at(plan.receivedAt, rng.int(6, 48) * HOUR).getTime(), now.getTime() - HOUR),
  )
  const processedAt = at(plan.receivedAt, (madeAvailable.getTime() - plan.receivedAt.getTime()) / 2)
  const uploadIp = plan.ipv4 && rng.chance(0.5) ? plan.ipv4 : plan.ipv6
  const sextortion = plan.annotations.includes('sextortion')
  const profileUrl = `https://${platform.host}/u/${person.screenName}`

  const captures: Record<string, unknown>[] = []
  if (plan.ipv4) captures.push(ipCapture(plan.ipv4, 'LOGIN', loginAt, rng.int(1024, 65535), rng.chance(0.1)))
  captures.push(
    ipCapture(plan.ipv6, 'UPLOAD', incidentAt, rng.chance(0.5) ? rng.int(1024, 65535) : null, null),
  )
  if (plan.deviceId) {
    captures.push({
      captureType: 'Device ID',
      valueType: rng.pick(['IDFA', 'GAID']),
      value: plan.deviceId,
      eventName: 'LOGIN',
      dateTime: iso(loginAt),
      port: null,
      possibleProxy: null,
    })
  }

  const incidentSummary: Record<string, unknown> = {
    incidentType: sextortion
      ? 'Online Enticement of Children for Sexual Acts'
      : 'Child Pornography (possession, manufacture, and distribution)',
    platform: platform.name,
    incidentDateTime: iso(incidentAt),
    incidentDateTimeDescription: `Time of upload to ${platform.name}`,
  }
  if (plan.escalation) incidentSummary.espEscalation = plan.escalation
  if (plan.annotations.length > 0) incidentSummary.reportAnnotations = plan.annotations

  const reportedPerson = {
    firstName: person.firstName,
    middleName: null,
    lastName: person.lastName,
    dateOfBirth: person.dateOfBirth,
    approximateAge: null,
    espUserId: person.espUserId,
    espService: platform.name,
    screenName: { value: person.screenName },
    displayNames: { displayNames: [{ value: person.screenName.replace(/_/g, ' ') }] },
    emails: { emails: person.emails.map((value) => ({ value, verified: rng.chance(0.6) })) },
    phones:
      person.phones.length > 0
        ? { phones: person.phones.map((value) => ({ value, verified: false })) }
        : null,
    addresses: person.address
      ? {
          addresses: [
            {
              street1: person.address.street1,
              street2: null,
              city: person.address.city,
              state: null,
              postalCode: person.address.postalCode,
              country: 'GB',
            },
          ],
        }
      : null,
    sourceInformation: { sourceCaptures: captures },
    espEstimatedLocations: {
      espEstimatedLocations: [
        { city: plan.town, region: null, countryCode: 'GB', verified: false, timestamp: iso(loginAt) },
      ],
    },
    profileBio: null,
    accountTemporarilyDisabled: null,
    accountPermanentlyDisabled: rng.chance(0.7),
    priorCybertipReports: null,
    additionalInformations: null,
  }

  const uploadedFiles = plan.files.map(({ file, viewedByEsp, industryClassification }, i) => {
    const ext = file.video ? 'mp4' : 'jpg'
    const uploadedAt = at(incidentAt, -i * rng.int(1, 30) * MINUTE)
    return {
      filename: `${plan.reportId}-file-${i + 1}.${ext}`,
      originalFilename: `${file.video ? 'VID' : 'IMG'}_${String(1000 + ((file.n * 37) % 9000)).padStart(4, '0')}.${ext}`,
      verificationHash: file.md5,
      viewedByEsp,
      publiclyAvailable: false,
      industryClassification,
      sourceInformation: {
        sourceCaptures: [
          {
            captureType: 'IP Address',
            value: uploadIp,
            eventName: 'UPLOAD',
            dateTime: iso(uploadedAt),
            port: null,
          },
        ],
      },
      espMetadata: { metadatas: [{ name: 'Upload Date and Time', value: iso(uploadedAt) }] },
      ncmecTags: null,
      additionalInformations: [
        { value: `File's unique ESP Identifier: demo-${String(file.n).padStart(5, '0')}` },
      ],
    }
  })

  const webpageIncident =
    platform.incident === 'webpage'
      ? [
          {
            sourceInformation: { sourceCaptures: [{ captureType: 'URL', value: profileUrl }] },
            additionalInformations: [{ value: 'Type: Profile page' }],
          },
        ]
      : []
  const chatIncident =
    platform.incident === 'chat'
      ? [
          {
            id: `chat-${plan.reportId}`,
            chatServiceOrClient: platform.name,
            chatRoomName: null,
            notes: [{ value: '[placeholder transcript omitted - synthetic demo]' }],
          },
        ]
      : []
  const geo = (ipAddress: string) => ({
    ipAddress,
    country: 'GB',
    region: null,
    city: plan.town,
    postalCode: null,
    latitude: null,
    longitude: null,
    metropolitanCode: null,
    areaCode: null,
    esp: rng.pick(ISPS),
    organization: null,
    types: [rng.pick(['residential', 'mobile'])],
  })

  return {
    reportId: plan.reportId,
    informational: plan.informational,
    dateReceived: iso(plan.receivedAt),
    dateMadeAvailable: iso(madeAvailable),
    reportedInformation: {
      reportingEsp: {
        espName: platform.espName,
        firstName: 'Trust',
        lastName: 'Safety',
        emails: {
          emails: [{ value: `le-requests@${platform.host.split('.').slice(1).join('.')}`, verified: null }],
        },
      },
      incidentSummary,
      incidentDetails: {
        webpageIncident,
        emailIncident: [],
        chatIncident,
        peerToPeerIncident: [],
        gamingIncident: [],
        cellPhoneIncident: [],
        newsgroupIncident: [],
        nonInternetIncident: [],
      },
      reportedPeople: { reportedPersons: [reportedPerson] },
      intendedRecipients: {
        intendedRecipients: plan.recipientAccountId
          ? [
              {
                firstName: null,
                lastName: null,
                approximateAge: '15',
                espUserId: plan.recipientAccountId,
                espService: platform.name,
                screenName: { value: `demo_recipient_${plan.recipientAccountId.slice(-4)}` },
              },
            ]
          : [],
      },
      childVictims: { childVictims: [] },
      uploadedFiles: { uploadedFiles },
      additionalInformations: [
        { value: 'SYNTHETIC DEMO DATA - Operation Lantern. No real person or imagery.' },
      ],
    },
    automatedInformation: {
      autoGeneratedNotes: {
        geoLookups: {
          reportedPersonGeoLookups: [...(plan.ipv4 ? [geo(plan.ipv4)] : []), geo(plan.ipv6)],
          childVictimGeoLookups: [],
          imageGeoLookups: [],
          internetGeoLookups: [],
        },
        phoneGeoLookups: null,
        autoCloses: [],
        autoRefers: [],
      },
    },
    additionalNcmecInformation: {
      priority: { priorityId: plan.priority, value: PRIORITY_LABELS[plan.priority] },
      ncmecClassification: plan.informational ? 'CP (Unconfirmed)' : 'Apparent Child Pornography',
      internationalCountry: 'United Kingdom',
      sentToLawEnforcement: true,
      dateTimeProcessed: iso(processedAt),
      executiveSummary: {
        value: `[synthetic] ${platform.espName} reported ${plan.files.length} file(s) linked to one account.`,
      },
      notes: { notes: [] },
    },
    lawEnforcementContactInformation: {
      lawEnforcementContacts: [
        {
          agency: 'Example National Agency',
          dateTimeMadeAvailable: iso(madeAvailable),
          referralType: 'NCMEC_ANALYST',
          officer: {
            firstName: 'Example',
            lastName: 'Officer',
            title: null,
            emails: { emails: [{ value: 'cybertips@example.org' }] },
            phones: { phones: [] },
          },
        },
      ],
    },
  }
}
