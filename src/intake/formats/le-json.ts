/**
 * Reads the CyberTipline report as law enforcement receives it from NCMEC (the JSON download beside the
 * PDF). The reader is tolerant: it looks only at the paths in a versioned mapping (le-json-mapping.ts),
 * ignores keys it does not know and treats null or absent values as "not given". It refuses only what
 * it cannot read safely: text that is not JSON, a value of the wrong type at a known path, and a report
 * without a usable reportId (without it nothing can be linked back to NCMEC).
 *
 * Values are kept verbatim with their JSON Pointer; normalising identifiers happens later.
 */
import {
  type ExtractedAddress,
  type ExtractedFile,
  type ExtractedFileHash,
  type ExtractedIdentifier,
  type ExtractedPerson,
  type PartyRole,
  type ReferralDocument,
  RefusalError,
} from '../model.js'
import {
  firstText,
  follow,
  isObject,
  type JsonObject,
  type JsonValue,
  type Located,
  parseJsonText,
  readBoolean,
  readInteger,
  readList,
  readObjectList,
  readText,
  textOf,
} from './json-reader.js'
import { DEFAULT_LE_JSON_MAPPING, LE_JSON_MAPPINGS, type LeJsonMapping } from './le-json-mapping.js'

export interface LeJsonOptions {
  /** A key of LE_JSON_MAPPINGS; the newest mapping when absent. */
  mappingVersion?: string
}

/** Parses the JSON text of one LE report. */
export function parseLeJson(text: string, options: LeJsonOptions = {}): ReferralDocument {
  return parseLeJsonValue(parseJsonText(text), options)
}

/** Reads an already-parsed LE report (e.g. one taken out of a ZIP bundle). */
export function parseLeJsonValue(document: unknown, options: LeJsonOptions = {}): ReferralDocument {
  const mapping = chooseMapping(options.mappingVersion)
  const root: Located<JsonValue> = { pointer: '', value: document as JsonValue }
  if (!isObject(root.value)) {
    throw new RefusalError('a CyberTipline LE report must be a JSON object', { path: '' })
  }
  const reader = new LeReportReader(mapping)
  return reader.read(root)
}

function chooseMapping(version: string | undefined): LeJsonMapping {
  if (version === undefined) return DEFAULT_LE_JSON_MAPPING
  const mapping = LE_JSON_MAPPINGS[version]
  if (!mapping) {
    const known = Object.keys(LE_JSON_MAPPINGS).join(', ')
    throw new RefusalError(`unknown LE JSON mapping version ${version} (known: ${known})`)
  }
  return mapping
}

/** Hash names in ESP metadata, matched loosely because ESPs label them freely ("MD5 Hash", "SHA-1"). */
const HASH_LABELS: readonly [RegExp, ExtractedFileHash['algorithm']][] = [
  [/\bmd5\b/i, 'md5'],
  [/\bsha-?1\b/i, 'sha1'],
  [/\bpdq\b/i, 'pdq'],
  [/photo\s*dna/i, 'photodna'],
]

export function hashAlgorithmOf(label: string): ExtractedFileHash['algorithm'] | null {
  for (const [pattern, algorithm] of HASH_LABELS) if (pattern.test(label)) return algorithm
  return null
}

class LeReportReader {
  private readonly persons: ExtractedPerson[] = []
  private readonly identifiers: ExtractedIdentifier[] = []
  private readonly addresses: ExtractedAddress[] = []
  private readonly files: ExtractedFile[] = []

  constructor(private readonly mapping: LeJsonMapping) {}

  read(root: Located<JsonValue>): ReferralDocument {
    const paths = this.mapping
    const reportId = this.readReportId(root)
    for (const party of paths.parties) {
      readObjectList(root, party.list).forEach((person, index) => {
        this.readPerson(person, party.role, index)
      })
    }
    readObjectList(root, paths.files).forEach((file, index) => {
      this.readFile(file, index)
    })
    for (const lookup of paths.geoLookups) {
      for (const geo of readObjectList(root, lookup.list)) this.readGeoLookup(geo, lookup.role)
    }
    return {
      source: 'cybertipline-le-json',
      sourceReference: reportId,
      incidentType: textOf(root, paths.incidentType),
      incidentAt: textOf(root, paths.incidentAt),
      platform: textOf(root, paths.platform),
      reportingOrganisation: textOf(root, paths.reportingOrganisation),
      informational: readBoolean(root, paths.informational) ?? false,
      escalation: firstText(root, paths.escalation),
      annotations: this.readReportAnnotations(root),
      ncmecPriority: this.readPriority(root),
      persons: this.persons,
      identifiers: this.identifiers,
      addresses: this.addresses,
      files: this.files,
    }
  }

  private readReportId(root: Located<JsonValue>): string {
    const path = this.mapping.reportId
    const where = { path: `/${path.join('/')}`, field: path.at(-1) ?? 'reportId' }
    const value = follow(root, path)?.value
    if (value === undefined) throw new RefusalError('the report has no reportId', where)
    // A number past 2^53 has already lost digits in JSON.parse, so it cannot be trusted as an id.
    const text =
      typeof value === 'number' && Number.isSafeInteger(value)
        ? String(value)
        : typeof value === 'string'
          ? value.trim()
          : null
    if (text === null || !/^[0-9]+$/.test(text) || /^0+$/.test(text)) {
      throw new RefusalError(
        `reportId must be a positive whole number, found ${JSON.stringify(value)}`,
        where,
      )
    }
    return text
  }

  /** Flags arrive as a list of names, a list of `{value}`, or an object of `name: true` / empty flags. */
  private readReportAnnotations(root: Located<JsonValue>): string[] {
    const annotations: string[] = []
    for (const path of this.mapping.reportAnnotations) {
      const located = follow(root, path)
      if (!located) continue
      if (isObject(located.value)) {
        for (const [name, flag] of Object.entries(located.value)) {
          if (flag === true || flag === 'true' || isObject(flag)) annotations.push(name)
        }
      } else {
        for (const item of readList(root, { path, wrapper: null })) {
          const text = readText(item, [])
          if (text) annotations.push(text.value)
        }
      }
    }
    return annotations
  }

  private readPriority(root: Located<JsonValue>): ReferralDocument['ncmecPriority'] {
    const priority = follow(root, this.mapping.priority)
    if (!priority) return null
    const id = textOf(priority, this.mapping.priorityId)
    const label = textOf(priority, this.mapping.priorityLabel)
    if (id === null) return label === null ? null : { id: label, label }
    return { id, label }
  }

  private readPerson(person: Located<JsonObject>, role: PartyRole, personIndex: number): void {
    const personPaths = this.mapping.person
    const platform = textOf(person, personPaths.espService)
    const espUserId = readText(person, personPaths.espUserId)
    const screenName = readText(person, personPaths.screenName)
    const displayNames = readList(person, personPaths.displayNames)
      .map((name) => readText(name, [])?.value ?? null)
      .filter((name): name is string => name !== null)
    this.persons.push({
      path: person.pointer,
      role,
      personIndex,
      firstName: textOf(person, personPaths.firstName),
      lastName: textOf(person, personPaths.lastName),
      dateOfBirth: textOf(person, personPaths.dateOfBirth),
      approximateAge: textOf(person, personPaths.approximateAge),
      platform,
      espUserId: espUserId?.value ?? null,
      screenName: screenName?.value ?? null,
      displayNames,
    })
    const owner = { role, personIndex, platform }
    if (espUserId)
      this.identifier({ ...owner, kind: 'account', path: espUserId.pointer, value: espUserId.value })
    if (screenName) {
      this.identifier({ ...owner, kind: 'screen_name', path: screenName.pointer, value: screenName.value })
    }
    for (const [kind, list] of [
      ['email', personPaths.emails],
      ['phone', personPaths.phones],
    ] as const) {
      for (const entry of readList(person, list)) {
        const contact = readText(entry, [])
        if (!contact) continue
        const verified = isObject(entry.value) ? readBoolean(entry, this.mapping.capture.verified) : null
        this.identifier({
          ...owner,
          platform: null,
          kind,
          path: contact.pointer,
          value: contact.value,
          verified,
        })
      }
    }
    for (const address of readObjectList(person, personPaths.addresses))
      this.readAddress(address, role, personIndex, false)
    // An ESP's estimated location is its own inference (usually from IP), not an address the person gave.
    for (const location of readObjectList(person, personPaths.estimatedLocations)) {
      this.readAddress(location, role, personIndex, true)
    }
    for (const capture of readObjectList(person, personPaths.sourceCaptures))
      this.readCapture(capture, role, personIndex)
  }

  private readAddress(
    address: Located<JsonObject>,
    role: PartyRole,
    personIndex: number | null,
    derived: boolean,
  ) {
    const addressPaths = this.mapping.address
    const street = addressPaths.street
      .map((path) => textOf(address, path))
      .filter((line) => line !== null && line !== '')
    this.addresses.push({
      path: address.pointer,
      role,
      personIndex,
      street: street.length > 0 ? street.join(', ') : null,
      city: textOf(address, addressPaths.city),
      region: firstText(address, addressPaths.region),
      postcode: firstText(address, addressPaths.postcode),
      country: firstText(address, addressPaths.country),
      derived,
    })
  }

  private readCapture(capture: Located<JsonObject>, role: PartyRole, personIndex: number | null): void {
    const capturePaths = this.mapping.capture
    const type = textOf(capture, capturePaths.type)?.trim().toLowerCase() ?? null
    const kind =
      type === null
        ? null
        : this.mapping.ipCaptureTypes.includes(type)
          ? 'ip'
          : this.mapping.deviceCaptureTypes.includes(type)
            ? 'device'
            : null
    // URLs and profile URLs are not identifiers in our model; they stay in the original document.
    if (kind === null) return
    const value = readText(capture, capturePaths.value)
    if (!value) return
    this.identifier({
      kind,
      role,
      personIndex,
      platform: null,
      path: value.pointer,
      value: value.value,
      observedAt: textOf(capture, capturePaths.at),
      port: readInteger(capture, capturePaths.port),
      event: textOf(capture, capturePaths.event),
      possibleProxy: readBoolean(capture, capturePaths.proxy),
      valueType: textOf(capture, capturePaths.valueType),
    })
  }

  private readFile(file: Located<JsonObject>, fileIndex: number): void {
    const filePaths = this.mapping.file
    const hashes: ExtractedFileHash[] = []
    const verification = textOf(file, filePaths.verificationHash)
    if (verification) hashes.push({ algorithm: 'md5', value: verification, label: 'verificationHash' })
    for (const metadata of readObjectList(file, filePaths.metadata)) {
      const label = textOf(metadata, filePaths.metadataName)
      const value = textOf(metadata, filePaths.metadataValue)
      const algorithm = label === null ? null : hashAlgorithmOf(label)
      if (label !== null && value && algorithm) hashes.push({ algorithm, value, label })
    }
    const annotations: string[] = []
    for (const group of readObjectList(file, filePaths.tagGroups)) {
      for (const tag of readList(group, filePaths.tags)) {
        const text = readText(tag, [])
        if (text) annotations.push(text.value)
      }
    }
    for (const annotation of readList(file, filePaths.fileAnnotations)) {
      const text = readText(annotation, [])
      if (text) annotations.push(text.value)
    }
    this.files.push({
      path: file.pointer,
      fileName: textOf(file, filePaths.fileName),
      originalFileName: textOf(file, filePaths.originalFileName),
      hashes,
      viewedByEsp: readBoolean(file, filePaths.viewedByEsp),
      publiclyAvailable: readBoolean(file, filePaths.publiclyAvailable),
      industryClassification: textOf(file, filePaths.industryClassification),
      annotations,
    })
    // personIndex carries the file's index here so the upload IP stays tied to its file.
    for (const capture of readObjectList(file, filePaths.sourceCaptures))
      this.readCapture(capture, 'file', fileIndex)
  }

  private readGeoLookup(geo: Located<JsonObject>, role: PartyRole): void {
    const geoPaths = this.mapping.geo
    this.addresses.push({
      path: geo.pointer,
      role,
      personIndex: null,
      street: null,
      city: textOf(geo, geoPaths.city),
      region: textOf(geo, geoPaths.region),
      postcode: textOf(geo, geoPaths.postcode),
      country: textOf(geo, geoPaths.country),
      derived: true,
    })
  }

  private identifier(
    fields: Pick<ExtractedIdentifier, 'kind' | 'role' | 'personIndex' | 'platform' | 'path' | 'value'> &
      Partial<ExtractedIdentifier>,
  ): void {
    this.identifiers.push({
      observedAt: null,
      port: null,
      event: null,
      possibleProxy: null,
      valueType: null,
      verified: null,
      ...fields,
    })
  }
}
