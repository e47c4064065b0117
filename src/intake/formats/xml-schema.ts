/**
 * Validation against NCMEC's CyberTipline XSD with libxml2 (xmllint compiled to WebAssembly, package
 * xmllint-wasm), which ships its own engine so nothing is downloaded or compiled at install time.
 *
 * Each call starts a worker with a fresh WebAssembly instance (about 0.1 s), so documents are
 * validated in batches: one xmllint run over many in-memory files, whose messages are told apart by
 * the file name xmllint prints in front of each.
 *
 * The schema, cybertipline-report.xsd, sits beside this file; see PROVENANCE.md here for where it
 * comes from and its terms.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { validateXML } from 'xmllint-wasm'

export interface SchemaFault {
  line: number | null
  /** The element libxml2 names in the message, e.g. incidentType. */
  element: string | null
  message: string
}

const SCHEMA_FILE = 'cybertipline-report.xsd'
/** Documents per xmllint run: enough to amortise the worker start, small enough for its memory. */
const BATCH_DOCUMENTS = 200
const BATCH_CHARACTERS = 8_000_000
const MEMORY_PAGES = 16 * 512 // 512 MiB ceiling for the WebAssembly heap

let schemaText: string | undefined

/**
 * The build (scripts/build.mjs) compiles TypeScript to dist/ but copies no other files, so when this
 * module runs from dist/ the schema is read from the source tree instead.
 */
function loadSchema(): string {
  if (schemaText !== undefined) return schemaText
  const candidates = [
    new URL(`./${SCHEMA_FILE}`, import.meta.url),
    new URL(`../../../../src/intake/formats/${SCHEMA_FILE}`, import.meta.url),
  ]
  const found = candidates.find((candidate) => existsSync(fileURLToPath(candidate)))
  if (!found) throw new Error(`${SCHEMA_FILE} not found beside ${import.meta.url}`)
  schemaText = readFileSync(found, 'utf8')
  return schemaText
}

/** libxml2 messages look like `doc-3.xml:4: Schemas validity error : Element 'incidentType': ...`. */
const FAULT_LINE = /^(doc-[0-9a-f]+-\d+\.xml):(\d+): (.*)$/

function faultFrom(line: number, message: string): SchemaFault {
  const element = /Element '([^']+)'/.exec(message)?.[1] ?? /tag mismatch: (\S+)/.exec(message)?.[1] ?? null
  return { line, element, message: message.replace(/\s+/g, ' ').trim() }
}

/**
 * Validates each document against the XSD. Returns, per document in order, the list of faults
 * (empty when the document is valid).
 */
export async function validateAgainstSchema(documents: readonly string[]): Promise<SchemaFault[][]> {
  const results: SchemaFault[][] = []
  let start = 0
  while (start < documents.length) {
    let end = start
    let characters = 0
    while (end < documents.length && end - start < BATCH_DOCUMENTS && characters < BATCH_CHARACTERS) {
      characters += documents[end]?.length ?? 0
      end++
    }
    results.push(...(await validateBatch(documents.slice(start, end))))
    start = end
  }
  return results
}

async function validateBatch(documents: readonly string[]): Promise<SchemaFault[][]> {
  // xmllint echoes the offending source line after a parse error, so a document could contain text
  // that looks like another document's verdict; names no document can guess rule that out.
  const token = randomBytes(8).toString('hex')
  const names = documents.map((_, index) => `doc-${token}-${index}.xml`)
  let output: string
  try {
    const result = await validateXML({
      xml: documents.map((contents, index) => ({ fileName: names[index] ?? '', contents })),
      schema: { fileName: SCHEMA_FILE, contents: loadSchema() },
      maxMemoryPages: MEMORY_PAGES,
    })
    output = result.rawOutput
  } catch (error) {
    // xmllint-wasm rejects when xmllint exits with a code it does not classify (e.g. a document that
    // is not well-formed); its stderr is the error message and has the same per-file lines.
    output = error instanceof Error ? error.message : String(error)
  }
  const valid = new Set<string>()
  const failed = new Set<string>()
  const faults = new Map<string, SchemaFault[]>()
  for (const line of output.split('\n')) {
    const verdict = /^(doc-[0-9a-f]+-\d+\.xml) (validates|fails to validate)$/.exec(line.trim())
    if (verdict?.[1]) {
      ;(verdict[2] === 'validates' ? valid : failed).add(verdict[1])
      continue
    }
    const fault = FAULT_LINE.exec(line)
    if (fault?.[1] && fault[2] && fault[3]) {
      const list = faults.get(fault[1]) ?? []
      list.push(faultFrom(Number(fault[2]), fault[3]))
      faults.set(fault[1], list)
    }
  }
  return names.map((name) => {
    const found = faults.get(name)
    if (valid.has(name) && !failed.has(name) && !found) return []
    if (found && found.length > 0) return found
    return [{ line: null, element: null, message: 'the schema validator could not read the document' }]
  })
}
