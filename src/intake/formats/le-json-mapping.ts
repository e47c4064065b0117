/**
 * Where each value lives in the CyberTipline report as law enforcement downloads it (NCMEC Case
 * Management Tool JSON). NCMEC publishes no schema for it; the paths were reconstructed from public
 * LE-side readers (see shared/brief/formats.md section 1.4). When NCMEC changes the export, add a new
 * version here rather than editing an old one, so reports already received stay readable the same way.
 *
 * Paths are object keys from the object named in the comment; alternatives are tried in order.
 */
import type { PartyRole } from '../model.js'
import type { ListPath } from './json-reader.js'

type Path = readonly string[]

export interface LeJsonMapping {
  version: string
  /** From the document root. */
  reportId: Path
  informational: Path
  reportingOrganisation: Path
  incidentType: Path
  incidentAt: Path
  platform: Path
  escalation: readonly Path[]
  reportAnnotations: readonly Path[]
  priority: Path
  /** From the priority object. */
  priorityId: Path
  priorityLabel: Path
  parties: readonly { role: PartyRole; list: ListPath }[]
  /** From one person object. */
  person: {
    firstName: Path
    lastName: Path
    dateOfBirth: Path
    approximateAge: Path
    espUserId: Path
    espService: Path
    screenName: Path
    displayNames: ListPath
    emails: ListPath
    phones: ListPath
    addresses: ListPath
    estimatedLocations: ListPath
    sourceCaptures: ListPath
  }
  /** From one address object. */
  address: {
    street: readonly Path[]
    city: Path
    region: readonly Path[]
    postcode: readonly Path[]
    country: readonly Path[]
  }
  /** From one source capture (IP address, device id, URL ...). */
  capture: {
    type: Path
    valueType: Path
    value: Path
    event: Path
    at: Path
    port: Path
    proxy: Path
    verified: Path
  }
  /** Capture types that become identifiers, by the export's own label (compared case-insensitively). */
  ipCaptureTypes: readonly string[]
  deviceCaptureTypes: readonly string[]
  files: ListPath
  /** From one uploaded file object. */
  file: {
    fileName: Path
    originalFileName: Path
    verificationHash: Path
    viewedByEsp: Path
    publiclyAvailable: Path
    industryClassification: Path
    sourceCaptures: ListPath
    metadata: ListPath
    metadataName: Path
    metadataValue: Path
    tagGroups: ListPath
    /** From one tag group. */
    tags: ListPath
    fileAnnotations: ListPath
  }
  /** NCMEC's own geolocation of IPs and phones (section B of the report): derived, never reported. */
  geoLookups: readonly { role: PartyRole; list: ListPath }[]
  geo: {
    city: Path
    region: Path
    postcode: Path
    country: Path
  }
}

const reported = ['reportedInformation'] as const

export const LE_JSON_MAPPING_V1: LeJsonMapping = {
  version: 'le-json-v1',
  reportId: ['reportId'],
  informational: ['informational'],
  reportingOrganisation: [...reported, 'reportingEsp', 'espName'],
  incidentType: [...reported, 'incidentSummary', 'incidentType'],
  incidentAt: [...reported, 'incidentSummary', 'incidentDateTime'],
  platform: [...reported, 'incidentSummary', 'platform'],
  escalation: [
    [...reported, 'incidentSummary', 'espEscalation'],
    [...reported, 'incidentSummary', 'escalateToHighPriority'],
  ],
  reportAnnotations: [
    [...reported, 'incidentSummary', 'reportAnnotations'],
    [...reported, 'reportAnnotations'],
  ],
  priority: ['additionalNcmecInformation', 'priority'],
  priorityId: ['priorityId'],
  priorityLabel: ['value'],
  parties: [
    { role: 'reported_person', list: { path: [...reported, 'reportedPeople'], wrapper: 'reportedPersons' } },
    {
      role: 'intended_recipient',
      list: { path: [...reported, 'intendedRecipients'], wrapper: 'intendedRecipients' },
    },
    { role: 'child_victim', list: { path: [...reported, 'childVictims'], wrapper: 'childVictims' } },
  ],
  person: {
    firstName: ['firstName'],
    lastName: ['lastName'],
    dateOfBirth: ['dateOfBirth'],
    approximateAge: ['approximateAge'],
    espUserId: ['espUserId'],
    espService: ['espService'],
    screenName: ['screenName'],
    displayNames: { path: ['displayNames'], wrapper: 'displayNames' },
    emails: { path: ['emails'], wrapper: 'emails' },
    phones: { path: ['phones'], wrapper: 'phones' },
    addresses: { path: ['addresses'], wrapper: 'addresses' },
    estimatedLocations: { path: ['espEstimatedLocations'], wrapper: 'espEstimatedLocations' },
    sourceCaptures: { path: ['sourceInformation'], wrapper: 'sourceCaptures' },
  },
  address: {
    street: [['street1'], ['street2'], ['address'], ['street']],
    city: ['city'],
    region: [['state'], ['nonUsaState'], ['region']],
    postcode: [['postalCode'], ['zipCode']],
    country: [['country'], ['countryCode']],
  },
  capture: {
    type: ['captureType'],
    valueType: ['valueType'],
    value: ['value'],
    event: ['eventName'],
    at: ['dateTime'],
    port: ['port'],
    proxy: ['possibleProxy'],
    verified: ['verified'],
  },
  ipCaptureTypes: ['ip address', 'ip'],
  deviceCaptureTypes: ['device id', 'device'],
  files: { path: [...reported, 'uploadedFiles'], wrapper: 'uploadedFiles' },
  file: {
    fileName: ['filename'],
    originalFileName: ['originalFilename'],
    verificationHash: ['verificationHash'],
    viewedByEsp: ['viewedByEsp'],
    publiclyAvailable: ['publiclyAvailable'],
    industryClassification: ['industryClassification'],
    sourceCaptures: { path: ['sourceInformation'], wrapper: 'sourceCaptures' },
    metadata: { path: ['espMetadata'], wrapper: 'metadatas' },
    metadataName: ['name'],
    metadataValue: ['value'],
    tagGroups: { path: ['ncmecTags'], wrapper: 'groups' },
    tags: { path: ['tags'], wrapper: null },
    fileAnnotations: { path: ['fileAnnotations'], wrapper: 'fileAnnotations' },
  },
  geoLookups: (
    [
      ['reportedPersonGeoLookups', 'reported_person'],
      ['intendedRecipientGeoLookups', 'intended_recipient'],
      ['childVictimGeoLookups', 'child_victim'],
      ['imageGeoLookups', 'file'],
      ['internetGeoLookups', 'incident'],
    ] as const
  ).map(([key, role]) => ({
    role,
    list: { path: ['automatedInformation', 'autoGeneratedNotes', 'geoLookups', key], wrapper: null },
  })),
  geo: { city: ['city'], region: ['region'], postcode: ['postalCode'], country: ['country'] },
}

/** Every mapping by version; the newest is the default. */
export const LE_JSON_MAPPINGS: Readonly<Record<string, LeJsonMapping>> = {
  [LE_JSON_MAPPING_V1.version]: LE_JSON_MAPPING_V1,
}

export const DEFAULT_LE_JSON_MAPPING = LE_JSON_MAPPING_V1
