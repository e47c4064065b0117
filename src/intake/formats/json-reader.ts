/**
 * Tolerant, shape-checking reads from a parsed JSON document. Every read names its JSON Pointer so a
 * refusal says exactly where the document went wrong. Absent and null values are always tolerated
 * (exports leave most keys empty); a value of the wrong type is refused, because guessing what an
 * object in place of an e-mail address means could attach evidence to the wrong person.
 */
import { RefusalError } from '../model.js'

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject
export interface JsonObject {
  [key: string]: JsonValue
}

/** Where a value sits: its JSON Pointer, plus the value itself. */
export interface Located<T> {
  pointer: string
  value: T
}

/** A list that may arrive as a bare array or wrapped in an object, e.g. `{emails: {emails: [...]}}`. */
export interface ListPath {
  path: readonly string[]
  /** The key of the array inside a wrapping object; null when the list is always bare. */
  wrapper: string | null
}

export function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function escapeSegment(segment: string): string {
  // Most keys need no escaping; every field read builds a pointer, so skip the two replacements then.
  if (!segment.includes('~') && !segment.includes('/')) return segment
  return segment.replaceAll('~', '~0').replaceAll('/', '~1')
}

export function pointerTo(base: string, ...segments: readonly (string | number)[]): string {
  let pointer = base
  for (const segment of segments) pointer += `/${escapeSegment(String(segment))}`
  return pointer
}

function wrongShape(pointer: string, expected: string, got: JsonValue): RefusalError {
  const field = pointer.slice(pointer.lastIndexOf('/') + 1) || '(root)'
  return new RefusalError(`expected ${expected}, found ${describeType(got)}`, { path: pointer, field })
}

export function describeType(value: JsonValue | undefined): string {
  if (value === undefined) return 'nothing'
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`
}

/**
 * The value at `path` below `from`, or undefined when any step is absent or null; refuses when a step
 * that must be an object to go on is something else. Builds no pointer unless it refuses: most reads
 * of a report find nothing or only want the value.
 */
function valueAt(from: Located<JsonValue>, path: readonly string[]): JsonValue | undefined {
  let value = from.value
  for (let step = 0; step < path.length; step++) {
    if (value === null) return undefined
    if (!isObject(value))
      throw wrongShape(pointerTo(from.pointer, ...path.slice(0, step)), 'an object', value)
    const next: JsonValue | undefined = value[path[step]!]
    if (next === undefined) return undefined
    value = next
  }
  return value === null ? undefined : value
}

/**
 * Follows object keys from `from`. Returns undefined when any step is absent or null; refuses when a
 * step that must be an object to go on is something else.
 */
export function follow(from: Located<JsonValue>, path: readonly string[]): Located<JsonValue> | undefined {
  const value = valueAt(from, path)
  return value === undefined ? undefined : { pointer: pointerTo(from.pointer, ...path), value }
}

/** The items of a list, bare or wrapped; an absent list is empty. */
export function readList(from: Located<JsonValue>, list: ListPath): Located<JsonValue>[] {
  const found = follow(from, list.path)
  if (!found) return []
  let array: Located<JsonValue> = found
  if (isObject(found.value) && list.wrapper !== null) {
    const inner = found.value[list.wrapper]
    if (inner === undefined || inner === null) return []
    array = { pointer: pointerTo(found.pointer, list.wrapper), value: inner }
  }
  if (!Array.isArray(array.value)) throw wrongShape(array.pointer, 'an array', array.value)
  const items = array.value
  return items.map((value, index) => ({ pointer: pointerTo(array.pointer, index), value }))
}

/** Items of a list that must be objects (persons, files, captures); nulls inside the list are skipped. */
export function readObjectList(from: Located<JsonValue>, list: ListPath): Located<JsonObject>[] {
  const objects: Located<JsonObject>[] = []
  for (const item of readList(from, list)) {
    if (item.value === null) continue
    if (!isObject(item.value)) throw wrongShape(item.pointer, 'an object', item.value)
    objects.push({ pointer: item.pointer, value: item.value })
  }
  return objects
}

/**
 * Text as the document gives it. Numbers are kept as their JSON text (ids are often numeric); the LE
 * export sometimes wraps text as `{value: ...}`, so that is unwrapped and the pointer follows it.
 */
export function readText(from: Located<JsonValue>, path: readonly string[]): Located<string> | null {
  const found = follow(from, path)
  if (!found) return null
  let { pointer, value } = found
  if (isObject(value) && 'value' in value) {
    pointer = pointerTo(pointer, 'value')
    value = value.value ?? null
  }
  if (value === null) return null
  if (typeof value === 'string') return { pointer, value }
  if (typeof value === 'number' && Number.isFinite(value)) return { pointer, value: String(value) }
  throw wrongShape(pointer, 'text', value)
}

export function textOf(from: Located<JsonValue>, path: readonly string[]): string | null {
  // readText without the pointer, which only a refusal needs.
  let value = valueAt(from, path)
  if (value === undefined) return null
  const wrapped = isObject(value) && 'value' in value
  if (wrapped) value = (value as JsonObject).value ?? null
  if (value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  throw wrongShape(pointerTo(from.pointer, ...path, ...(wrapped ? ['value'] : [])), 'text', value)
}

/** First alternative path that holds text. */
export function firstText(from: Located<JsonValue>, paths: readonly (readonly string[])[]): string | null {
  for (const path of paths) {
    const text = textOf(from, path)
    if (text !== null) return text
  }
  return null
}

/** true/false, also as the strings "true"/"false" that some exports write. */
export function readBoolean(from: Located<JsonValue>, path: readonly string[]): boolean | null {
  const found = follow(from, path)
  if (!found) return null
  const { pointer, value } = found
  if (typeof value === 'boolean') return value
  if (typeof value === 'string') {
    const lowered = value.trim().toLowerCase()
    if (lowered === 'true') return true
    if (lowered === 'false') return false
    if (lowered === '') return null
  }
  throw wrongShape(pointer, 'true or false', value)
}

/** A port or similar small non-negative integer; numeric strings are accepted. */
export function readInteger(from: Located<JsonValue>, path: readonly string[]): number | null {
  const found = follow(from, path)
  if (!found) return null
  const { pointer, value } = found
  if (typeof value === 'string' && value.trim() === '') return null
  const number = typeof value === 'string' && /^\s*\d+\s*$/.test(value) ? Number(value) : value
  if (typeof number === 'number' && Number.isSafeInteger(number) && number >= 0) return number
  throw wrongShape(pointer, 'a whole number', value)
}

/**
 * Parses JSON text, refusing with the parser's own message and the line and column of the fault so a
 * person can open the file at that place.
 */
export function parseJsonText(text: string): JsonValue {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  try {
    return JSON.parse(body) as JsonValue
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    const position = /position (\d+)/.exec(message)?.[1]
    if (position === undefined) {
      const line = /line (\d+)/.exec(message)?.[1]
      return refuseJson(message, line === undefined ? undefined : Number(line))
    }
    const offset = Number(position)
    const before = body.slice(0, offset)
    const line = before.split('\n').length
    const column = offset - before.lastIndexOf('\n')
    return refuseJson(`${message} (line ${line}, column ${column})`, line)
  }
}

function refuseJson(message: string, line: number | undefined): never {
  throw new RefusalError(`not JSON: ${message}`, line === undefined ? {} : { line })
}
