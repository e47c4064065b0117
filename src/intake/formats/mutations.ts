/**
 * Mutators for fuzzing the format parsers: bit flips, truncation, deleted keys, swapped types, dropped
 * or duplicated elements and cells. Each mutation is a pure function of a seed, so the CI property
 * tests (through fast-check) and the long bench run (bench/fuzz.ts) share them, and any failing input
 * can be regenerated from its seed.
 */
import fc from 'fast-check'

/** mulberry32: small, fast, good enough to pick mutations; not for anything secret. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

type Random = () => number
const below = (random: Random, limit: number): number => Math.floor(random() * limit)
const pick = <T>(random: Random, items: readonly T[]): T => items[below(random, items.length)] as T

const JUNK = [
  '',
  ' ',
  '\u0000',
  '\uFFFD',
  '"',
  "'",
  '<',
  '>',
  '&',
  ']]>',
  '\\',
  '\n',
  '0',
  '-1',
  '1e999',
  'null',
  '𝄞',
]

/** Byte-level damage, as a transfer or a careless edit might do. */
export function mutateText(text: string, random: Random): string {
  if (text.length === 0) return pick(random, JUNK)
  const at = below(random, text.length)
  switch (below(random, 6)) {
    case 0: {
      const code = text.charCodeAt(at) ^ (1 << below(random, 8))
      return text.slice(0, at) + String.fromCharCode(code) + text.slice(at + 1)
    }
    case 1:
      return text.slice(0, at)
    case 2:
      return text.slice(0, at) + pick(random, JUNK) + text.slice(at)
    case 3:
      return text.slice(0, at) + text.slice(at + 1 + below(random, 40))
    case 4: {
      const length = 1 + below(random, 60)
      return text.slice(0, at + length) + text.slice(at, at + length) + text.slice(at + length)
    }
    default:
      return text.slice(at) + text.slice(0, at)
  }
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

const REPLACEMENTS: readonly (() => Json)[] = [
  () => null,
  () => 0,
  () => -1,
  () => 1.5,
  () => 1e308,
  () => true,
  () => '',
  () => 'x'.repeat(300),
  () => [],
  () => ({}),
  () => [null, 1, 'a', {}],
  () => ({ value: { value: [] } }),
]

function containers(value: Json, found: (Json[] | { [key: string]: Json })[] = []): typeof found {
  if (value !== null && typeof value === 'object') {
    found.push(value)
    for (const child of Array.isArray(value) ? value : Object.values(value)) containers(child, found)
  }
  return found
}

/** Damages the structure: a deleted key, a value of another type, a list emptied or doubled. */
export function mutateJsonValue(document: Json, random: Random): Json {
  const copy = structuredClone(document)
  const rounds = 1 + below(random, 3)
  for (let round = 0; round < rounds; round++) {
    const target = pick(random, containers(copy))
    if (target === undefined) break
    const keys = Array.isArray(target) ? target.map((_, index) => index) : Object.keys(target)
    if (keys.length === 0) continue
    const key = pick<string | number>(random, keys)
    const record = target as Record<string | number, Json>
    const current = record[key] ?? null
    switch (below(random, 5)) {
      case 0:
        if (Array.isArray(target)) target.splice(key as number, 1)
        else delete record[key]
        break
      case 1:
        record[key] = [current]
        break
      case 2:
        record[key] =
          typeof current === 'object' && current !== null ? JSON.stringify(current) : { value: current }
        break
      case 3:
        if (Array.isArray(target)) target.push(structuredClone(current))
        else record[key] = pick(random, REPLACEMENTS)()
        break
      default:
        record[key] = pick(random, REPLACEMENTS)()
    }
  }
  return copy
}

/** One mutated JSON text: structural damage, byte damage, or both. */
export function mutateJsonText(base: string, seed: number): string {
  const random = seededRandom(seed)
  const mode = below(random, 3)
  let text = base
  if (mode !== 1) text = JSON.stringify(mutateJsonValue(JSON.parse(base) as Json, random), null, 1)
  if (mode !== 0) text = mutateText(text, random)
  return text
}

const ELEMENT = /<([A-Za-z][\w.-]*)(\s[^>]*)?>[^<]*<\/\1>|<([A-Za-z][\w.-]*)(\s[^>]*)?\/>/g

/** Damages XML by elements (dropped, doubled, emptied, junk text, renamed) and by bytes. */
export function mutateXmlText(base: string, seed: number): string {
  const random = seededRandom(seed)
  let text = base
  const rounds = 1 + below(random, 3)
  for (let round = 0; round < rounds; round++) {
    const elements = [...text.matchAll(ELEMENT)]
    const element = elements.length > 0 ? pick(random, elements) : undefined
    if (!element || below(random, 4) === 0) {
      text = mutateText(text, random)
      continue
    }
    const start = element.index ?? 0
    const end = start + element[0].length
    const name = element[1] ?? element[3] ?? 'x'
    const replacement = [
      '',
      element[0] + element[0],
      `<${name}></${name}>`,
      `<${name}>${pick(random, JUNK).replaceAll('<', '&lt;').replaceAll('&', '&amp;')}</${name}>`,
      `<${name}x>${element[0]}</${name}x>`,
      `<${name}>${'9'.repeat(1 + below(random, 30))}</${name}>`,
    ]
    text = text.slice(0, start) + pick(random, replacement) + text.slice(end)
  }
  return text
}

/** Damages CSV by cells (emptied, swapped, junk) and by bytes. */
export function mutateCsvText(base: string, seed: number): string {
  const random = seededRandom(seed)
  const lines = base.split('\n')
  const rounds = 1 + below(random, 3)
  for (let round = 0; round < rounds; round++) {
    const index = below(random, lines.length)
    const cells = (lines[index] ?? '').split(',')
    const cell = below(random, cells.length)
    switch (below(random, 5)) {
      case 0:
        cells[cell] = ''
        break
      case 1:
        cells[cell] = pick(random, JUNK)
        break
      case 2:
        cells.reverse()
        break
      case 3:
        cells.splice(cell, 1)
        break
      default:
        lines[index] = mutateText(lines[index] ?? '', random)
        continue
    }
    lines[index] = cells.join(',')
  }
  return lines.join('\n')
}

const seeds = fc.integer({ min: 0, max: 0x7fffffff })

export const mutatedJsonDocuments = (base: string): fc.Arbitrary<string> =>
  seeds.map((s) => mutateJsonText(base, s))
export const mutatedXmlDocuments = (bases: readonly string[]): fc.Arbitrary<string> =>
  fc.tuple(fc.constantFrom(...bases), seeds).map(([base, s]) => mutateXmlText(base, s))
export const mutatedCsvDocuments = (base: string): fc.Arbitrary<string> =>
  seeds.map((s) => mutateCsvText(base, s))
