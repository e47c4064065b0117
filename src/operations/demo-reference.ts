/**
 * Reads the two reference files the demo generator needs: the forces and the postcode districts each force
 * can be given. Read at call time (and cached) rather than embedded, so the demo always agrees with the
 * reference data the product itself loads.
 */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'

export interface DemoForceDistricts {
  forceId: string
  /** Outward codes ('DT1') usable for synthetic postcodes in this force, in file order. */
  districts: string[]
}

const DISTRICT_FILE = join('reference', 'postcode_district_to_force.csv')
const FORCES_FILE = join('reference', 'forces.csv')

/**
 * The repository root. Source runs from src/operations and compiled code from dist/src/operations, so a
 * fixed number of `..` would be wrong for one of them; walk up until the reference file is found instead
 * (a package.json alone is not enough: a build may drop one into dist/).
 */
export function findRepoRoot(from: string = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from
  for (;;) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, DISTRICT_FILE))) return dir
    const parent = dirname(dir)
    if (parent === dir) throw new Error(`demo: no ${DISTRICT_FILE} found above ${from}`)
    dir = parent
  }
}

type CsvRow = Record<string, string>

function readCsv(path: string): CsvRow[] {
  return parse(readFileSync(path, 'utf8'), { columns: true, skip_empty_lines: true }) as CsvRow[]
}

/**
 * Every force in forces.csv with the districts the demo may use: active districts of high confidence, as
 * the brief asks. A force with none (City of London: all its districts straddle the Met boundary and are
 * medium or low) falls back to its active medium-confidence districts, so every force still gets subjects
 * whose force follows unambiguously from the primary force in the district file.
 */
export function parseDemoReference(forcesCsv: CsvRow[], districtsCsv: CsvRow[]): DemoForceDistricts[] {
  return forcesCsv.map((force) => {
    const forceId = force.id ?? ''
    const active = districtsCsv.filter((d) => d.force_id === forceId && d.status === 'active')
    let chosen = active.filter((d) => d.confidence === 'high')
    if (chosen.length === 0) chosen = active.filter((d) => d.confidence === 'medium')
    if (chosen.length === 0) throw new Error(`demo: force ${forceId} has no usable postcode district`)
    return { forceId, districts: chosen.map((d) => d.district ?? '') }
  })
}

let cached: DemoForceDistricts[] | undefined

export function loadDemoReference(): DemoForceDistricts[] {
  if (!cached) {
    const root = findRepoRoot()
    cached = parseDemoReference(readCsv(join(root, FORCES_FILE)), readCsv(join(root, DISTRICT_FILE)))
  }
  return cached
}
