/**
 * Reads CyberTipline Reporting API ("ispws") XML: a `<report>` as an ESP submits it, or one
 * `<fileDetails>` describing an uploaded file. Order of work: refuse DTDs and entities before any
 * parser sees the text (xml-safety.ts), validate against NCMEC's XSD (xml-schema.ts), then extract.
 * The extractor never trusts validation to have happened: it reads defensively and refuses rather
 * than throwing anything else, so it is also safe (and fuzzed) on its own.
 *
 * Paths are XPath-like with 1-based positions on every step below the root, e.g.
 * `/report/personOrUserReported[1]/ipCaptureEvent[2]/ipAddress[1]`.
 */
import { XMLParser } from 'fast-xml-parser'
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
import { hashAlgorithmOf } from './le-json.js'
import { decodeXmlText, refuseUnsafeXml } from './xml-safety.js'
import { validateAgainstSchema } from './xml-schema.js'

/** One `<fileDetails>`: the storage service attaches it to the report with this reportId. */
export interface CybertiplineFileDetails {
  reportId: string
  fileId: string
  file: ExtractedFile
  identifiers: ExtractedIdentifier[]
}

export type CybertiplineXml =
  | { root: 'report'; referral: ReferralDocument }
  | { root: 'fileDetails'; fileDetails: CybertiplineFileDetails }

/** Validates and reads one document. */
export async function parseCybertiplineXml(text: string): Promise<CybertiplineXml> {
  const [result] = await parseCybertiplineXmlBatch([text])
  if (result === undefined) throw new RefusalError('the XML document could not be read')
  if (result instanceof RefusalError) throw result
  return result
}

/**
 * Validates and reads many documents with one schema-validator run (much faster than one at a time).
 * Each result is the document read, or its refusal.
 */
export async function parseCybertiplineXmlBatch(
  texts: readonly string[],
): Promise<(CybertiplineXml | RefusalError)[]> {
  const results: (CybertiplineXml | RefusalError)[] = texts.map(() => new RefusalError('not yet read'))
  const safe: { index: number; text: string }[] = []
  texts.forEach((text, index) => {
    try {
      refuseUnsafeXml(text)
      safe.push({ index, text })
    } catch (error) {
      results[index] = asRefusal(error)
    }
  })
  const faults = await validateAgainstSchema(safe.map((document) => document.text))
  safe.forEach(({ index, text }, position) => {
    const found = faults[position] ?? []
    const [first] = found
    if (first) {
      const more = found.length > 1 ? ` (and ${found.length - 1} more)` : ''
      const where = {
        ...(first.line === null ? {} : { line: first.line }),
        ...(first.element ? { field: first.element } : {}),
      }
      results[index] = new RefusalError(`does not match the CyberTipline XSD: ${first.message}${more}`, where)
      return
    }
    try {
      results[index] = extractCybertiplineXml(text)
    } catch (error) {
      results[index] = asRefusal(error)
    }
  })
  return results
}

function asRefusal(error: unknown): RefusalError {
  if (error instanceof RefusalError) return error
  throw error
}

type XmlElement = { [name: string]: XmlElement[] | string }
interface XmlNode {
  path: string
  element: XmlElement
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  alwaysCreateTextNode: true,
  isArray: (_name, _path, _leaf, isAttribute) => !isAttribute,
  // Entities are decoded by decodeXmlText, in one pass, after the safety check.
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
})

/** Reads a document without schema validation (still refusing DTDs and entities first). */
export function extractCybertiplineXml(text: string): CybertiplineXml {
  refuseUnsafeXml(text)
  let parsed: unknown
  try {
    parsed = parser.parse(text)
  } catch (error) {
    throw new RefusalError(`not well-formed XML: ${error instanceof Error ? error.message : String(error)}`)
  }
  const roots = isElement(parsed) ? Object.keys(parsed).filter((name) => !name.startsWith('#')) : []
  const [rootName] = roots
  const rootList = rootName === undefined || !isElement(parsed) ? undefined : parsed[rootName]
  const rootElement = Array.isArray(rootList) ? rootList[0] : undefined
  if (roots.length !== 1 || rootName === undefined || !isElement(rootElement)) {
    throw new RefusalError('expected one root element, <report> or <fileDetails>')
  }
  const root: XmlNode = { path: `/${rootName}`, element: rootElement }
  if (rootName === 'report') return { root: 'report', referral: readReport(root) }
  if (rootName === 'fileDetails') return { root: 'fileDetails', fileDetails: readFileDetails(root) }
  const kind = rootName.endsWith('Response') ? 'an API response, not a report' : 'not a CyberTipline report'
  throw new RefusalError(`<${rootName}> is ${kind}; expected <report> or <fileDetails>`, { path: root.path })
}

function isElement(value: unknown): value is XmlElement {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function children(node: XmlNode | null, name: string): XmlNode[] {
  const list = node?.element[name]
  if (!node || !Array.isArray(list)) return []
  return list
    .filter(isElement)
    .map((element, index) => ({ path: `${node.path}/${name}[${index + 1}]`, element }))
}

function child(node: XmlNode | null, name: string): XmlNode | null {
  return children(node, name)[0] ?? null
}

function text(node: XmlNode | null): string | null {
  const raw = node?.element['#text']
  return typeof raw === 'string' ? decodeXmlText(raw) : null
}

function childText(node: XmlNode | null, name: string): string | null {
  return text(child(node, name))
}

function attribute(node: XmlNode | null, name: string): string | null {
  const raw = node?.element[`@${name}`]
  return typeof raw === 'string' ? decodeXmlText(raw) : null
}

function xmlBoolean(value: string | null): boolean | null {
  const trimmed = value?.trim()
  if (trimmed === 'true' || trimmed === '1') return true
  if (trimmed === 'false' || trimmed === '0') return false
  return null
}

/** Empty-flag elements such as `<reportAnnotations><sextortion/></reportAnnotations>`, by name. */
function flagNames(node: XmlNode | null): string[] {
  if (!node) return []
  return Object.keys(node.element).filter((name) => !name.startsWith('@') && !name.startsWith('#'))
}

const PARTIES: readonly { element: string; person: string; role: PartyRole }[] = [
  { element: 'personOrUserReported', person: 'personOrUserReportedPerson', role: 'reported_person' },
  { element: 'intendedRecipient', person: 'intendedRecipientPerson', role: 'intended_recipient' },
  { element: 'victim', person: 'victimPerson', role: 'child_victim' },
]

class Extraction {
  readonly persons: ExtractedPerson[] = []
  readonly identifiers: ExtractedIdentifier[] = []
  readonly addresses: ExtractedAddress[] = []

  identifier(
    node: XmlNode,
    fields: Pick<ExtractedIdentifier, 'kind' | 'role' | 'personIndex'> & Partial<ExtractedIdentifier>,
  ): void {
    const value = text(node)
    if (value === null || value === '') return
    this.identifiers.push({
      path: node.path,
      value,
      platform: null,
      observedAt: null,
      port: null,
      event: null,
      possibleProxy: null,
      valueType: null,
      verified: xmlBoolean(attribute(node, 'verified')),
      ...fields,
    })
  }

  /** `<ipCaptureEvent>` and `<deviceId>` children of an account, a file or a P2P incident. */
  captures(owner: XmlNode, role: PartyRole, personIndex: number | null): void {
    for (const capture of children(owner, 'ipCaptureEvent')) {
      const address = child(capture, 'ipAddress')
      if (!address) continue
      const port = childText(capture, 'port')?.trim() ?? ''
      this.identifier(address, {
        kind: 'ip',
        role,
        personIndex,
        observedAt: childText(capture, 'dateTime'),
        port: /^\d{1,9}$/.test(port) ? Number(port) : null,
        event: childText(capture, 'eventName'),
        possibleProxy: xmlBoolean(childText(capture, 'possibleProxy')),
      })
    }
    for (const device of children(owner, 'deviceId')) {
      const value = child(device, 'idValue')
      if (!value) continue
      this.identifier(value, {
        kind: 'device',
        role,
        personIndex,
        valueType: childText(device, 'idType'),
        observedAt: childText(device, 'dateTime'),
        event: childText(device, 'eventName'),
      })
    }
  }

  address(node: XmlNode, role: PartyRole, personIndex: number | null, derived: boolean): void {
    this.addresses.push({
      path: node.path,
      role,
      personIndex,
      street: childText(node, 'address'),
      city: childText(node, 'city'),
      region: childText(node, 'state') ?? childText(node, 'nonUsaState') ?? childText(node, 'region'),
      postcode: childText(node, 'zipCode'),
      country: childText(node, 'country') ?? childText(node, 'countryCode'),
      derived,
    })
  }

  party(node: XmlNode, personElement: string, role: PartyRole, personIndex: number): void {
    const person = child(node, personElement)
    const platform = childText(node, 'espService')
    const espIdentifier = child(node, 'espIdentifier')
    const screenName = child(node, 'screenName')
    this.persons.push({
      path: node.path,
      role,
      personIndex,
      firstName: childText(person, 'firstName'),
      lastName: childText(person, 'lastName'),
      dateOfBirth: childText(person, 'dateOfBirth'),
      approximateAge: childText(person, 'age'),
      platform,
      espUserId: text(espIdentifier),
      screenName: text(screenName),
      displayNames: children(node, 'displayName')
        .map(text)
        .filter((name): name is string => name !== null),
    })
    if (espIdentifier) this.identifier(espIdentifier, { kind: 'account', role, personIndex, platform })
    if (screenName) this.identifier(screenName, { kind: 'screen_name', role, personIndex, platform })
    for (const email of children(person, 'email'))
      this.identifier(email, { kind: 'email', role, personIndex })
    for (const phone of children(person, 'phone'))
      this.identifier(phone, { kind: 'phone', role, personIndex })
    for (const address of children(person, 'address')) this.address(address, role, personIndex, false)
    // The ESP's estimate (usually from IP), not an address the person gave: derived.
    const estimated = child(node, 'estimatedLocation')
    if (estimated) this.address(estimated, role, personIndex, true)
    this.captures(node, role, personIndex)
  }

  /** Contact points inside `<internetDetails>`; they belong to the incident, not to a person. */
  incident(details: XmlNode): void {
    const role = 'incident'
    for (const name of ['emailIncident', 'newsgroupIncident']) {
      for (const incident of children(details, name)) {
        for (const email of children(incident, 'emailAddress')) {
          this.identifier(email, { kind: 'email', role, personIndex: null })
        }
      }
    }
    for (const incident of children(details, 'cellPhoneIncident')) {
      const phone = child(incident, 'phoneNumber')
      if (phone) this.identifier(phone, { kind: 'phone', role, personIndex: null })
    }
    for (const incident of children(details, 'peer2peerIncident')) this.captures(incident, role, null)
    for (const incident of children(details, 'nonInternetIncident')) {
      for (const address of children(incident, 'incidentAddress')) this.address(address, role, null, false)
    }
  }
}

function readReport(root: XmlNode): ReferralDocument {
  const summary = child(root, 'incidentSummary')
  const extraction = new Extraction()
  for (const party of PARTIES) {
    children(root, party.element).forEach((node, index) => {
      extraction.party(node, party.person, party.role, index)
    })
  }
  for (const details of children(root, 'internetDetails')) extraction.incident(details)
  return {
    source: 'cybertipline-xml',
    // NCMEC assigns the reportId on submission; a <report> body does not carry one.
    sourceReference: null,
    incidentType: childText(summary, 'incidentType'),
    incidentAt: childText(summary, 'incidentDateTime'),
    platform: childText(summary, 'platform'),
    // The XSD's reporter has a contact person but no organisation name.
    reportingOrganisation: null,
    informational: false,
    escalation: childText(summary, 'escalateToHighPriority'),
    annotations: flagNames(child(summary, 'reportAnnotations')),
    ncmecPriority: null,
    persons: extraction.persons,
    identifiers: extraction.identifiers,
    addresses: extraction.addresses,
    files: [],
  }
}

function readFileDetails(root: XmlNode): CybertiplineFileDetails {
  const required = (name: string): string => {
    const value = childText(root, name)?.trim()
    if (!value)
      throw new RefusalError(`<fileDetails> has no ${name}`, { path: `${root.path}/${name}`, field: name })
    return value
  }
  const reportId = required('reportId')
  const fileId = required('fileId')
  const hashes: ExtractedFileHash[] = []
  for (const hash of children(root, 'originalFileHash')) {
    const value = text(hash)
    const label = attribute(hash, 'hashType') ?? 'originalFileHash'
    if (value) hashes.push({ algorithm: hashAlgorithmOf(label) ?? 'other', value, label })
  }
  // PhotoDNA and PDQ arrive as name/value pairs in <details type="HASH">.
  for (const details of children(root, 'details')) {
    if (attribute(details, 'type') !== 'HASH') continue
    for (const pair of children(details, 'nameValuePair')) {
      const label = childText(pair, 'name')
      const value = childText(pair, 'value')
      if (label && value) hashes.push({ algorithm: hashAlgorithmOf(label) ?? 'other', value, label })
    }
  }
  const extraction = new Extraction()
  extraction.captures(root, 'file', null)
  return {
    reportId,
    fileId,
    file: {
      path: root.path,
      fileName: null,
      originalFileName: childText(root, 'originalFileName'),
      hashes,
      viewedByEsp: xmlBoolean(childText(root, 'fileViewedByEsp')),
      publiclyAvailable: xmlBoolean(childText(root, 'publiclyAvailable')),
      industryClassification: childText(root, 'industryClassification'),
      annotations: flagNames(child(root, 'fileAnnotations')),
    },
    identifiers: extraction.identifiers,
  }
}
