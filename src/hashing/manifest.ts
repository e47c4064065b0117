// The hash manifest: JSON Lines, one object per file. Only hashes and file facts travel, never pixels.
// Appending line by line keeps a crashed run resumable: a half-written last line is cut off on resume.

import type { FileHandle } from 'node:fs/promises'
import { open, readFile, stat, truncate } from 'node:fs/promises'
import { PDQ_MODES, type PdqMode } from './luma.js'
import { isPdqHex } from './pdq.js'

export interface ManifestRecord {
  path: string
  size?: number
  md5?: string
  sha1?: string
  pdq?: string
  quality?: number
  mode?: PdqMode
  /** orig, rot90, rot180, rot270, flipX, flipY, flipPlus1, flipMinus1 (the reference's order). */
  dihedral?: string[]
  /** Where the decode knowingly departs from the reference (16-bit, first frame of many). */
  notes?: string[]
  /** Why this file has no PDQ; digests are still given whenever the bytes could be read. */
  error?: string
}

/** Fixed key order so that manifests diff cleanly. */
export function formatRecord(record: ManifestRecord): string {
  const ordered: ManifestRecord = { path: record.path }
  if (record.size !== undefined) ordered.size = record.size
  if (record.md5 !== undefined) ordered.md5 = record.md5
  if (record.sha1 !== undefined) ordered.sha1 = record.sha1
  if (record.pdq !== undefined) ordered.pdq = record.pdq
  if (record.quality !== undefined) ordered.quality = record.quality
  if (record.mode !== undefined) ordered.mode = record.mode
  if (record.dihedral !== undefined) ordered.dihedral = record.dihedral
  if (record.notes !== undefined && record.notes.length > 0) ordered.notes = record.notes
  if (record.error !== undefined) ordered.error = record.error
  return `${JSON.stringify(ordered)}\n`
}

const isString = (v: unknown): v is string => typeof v === 'string'

/** Parses one manifest line; null for anything that is not a well-formed record. */
export function parseRecord(line: string): ManifestRecord | null {
  let value: unknown
  try {
    value = JSON.parse(line)
  } catch {
    return null
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null
  const v = value as Record<string, unknown>
  if (!isString(v.path)) return null
  const record: ManifestRecord = { path: v.path }
  if (typeof v.size === 'number') record.size = v.size
  if (isString(v.md5) && /^[0-9a-f]{32}$/.test(v.md5)) record.md5 = v.md5
  if (isString(v.sha1) && /^[0-9a-f]{40}$/.test(v.sha1)) record.sha1 = v.sha1
  if (isString(v.pdq) && isPdqHex(v.pdq)) record.pdq = v.pdq
  if (typeof v.quality === 'number') record.quality = v.quality
  if (isString(v.mode) && (PDQ_MODES as readonly string[]).includes(v.mode)) record.mode = v.mode as PdqMode
  if (
    Array.isArray(v.dihedral) &&
    v.dihedral.length === 8 &&
    v.dihedral.every((h) => isString(h) && isPdqHex(h))
  ) {
    record.dihedral = v.dihedral as string[]
  }
  if (Array.isArray(v.notes) && v.notes.every(isString)) record.notes = v.notes as string[]
  if (isString(v.error)) record.error = v.error
  if (record.error === undefined && record.pdq === undefined) return null
  return record
}

export function parseManifest(text: string): ManifestRecord[] {
  const records: ManifestRecord[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue
    const record = parseRecord(line)
    if (record) records.push(record)
  }
  return records
}

export interface ManifestWriter {
  /** Paths already recorded by an earlier run; the caller skips them. */
  readonly done: ReadonlySet<string>
  append(record: ManifestRecord): Promise<void>
  close(): Promise<void>
}

async function existingSize(path: string): Promise<number> {
  try {
    return (await stat(path)).size
  } catch {
    return -1
  }
}

/** Opens (or creates) a manifest for appending, reading what an earlier run already wrote. */
export async function openManifest(path: string): Promise<ManifestWriter> {
  const done = new Set<string>()
  if ((await existingSize(path)) > 0) {
    const text = await readFile(path, 'utf8')
    const complete = text.lastIndexOf('\n') + 1
    // A run killed mid-write leaves a partial last line; drop it so the next append starts clean.
    if (complete < Buffer.byteLength(text)) await truncate(path, Buffer.byteLength(text.slice(0, complete)))
    for (const record of parseManifest(text.slice(0, complete))) done.add(record.path)
  }
  const handle: FileHandle = await open(path, 'a')
  return {
    done,
    append: async (record) => {
      await handle.write(formatRecord(record))
    },
    close: () => handle.close(),
  }
}
