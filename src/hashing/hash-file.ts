// One file → one manifest record. Never throws: every failure becomes the record's `error`, so a bad
// file cannot stop a batch. Used unchanged by the worker threads and the single-thread path.
import { DEFAULT_DECODE_LIMITS, DecodeError, type DecodeLimits } from './decode.js'
import { digestFile } from './file-digests.js'
import type { PdqMode } from './luma.js'
import type { ManifestRecord } from './manifest.js'
import { type PdqTimings, pdqFromImageBytes } from './pdq-image.js'

export interface HashOptions {
  mode: PdqMode
  dihedral: boolean
  limits: DecodeLimits
}

export const DEFAULT_HASH_OPTIONS: HashOptions = {
  mode: 'reference',
  dihedral: false,
  limits: DEFAULT_DECODE_LIMITS,
}

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error))

export async function hashFile(
  path: string,
  options: HashOptions,
  timings?: PdqTimings,
): Promise<ManifestRecord> {
  let digested: Awaited<ReturnType<typeof digestFile>>
  try {
    digested = await digestFile(path, options.limits.maxBytes)
  } catch (error) {
    return { path, error: `cannot read file: ${describe(error)}` }
  }
  const { bytes, ...digests } = digested
  const record: ManifestRecord = { path, ...digests }
  if (bytes === null) {
    return { ...record, error: `file exceeds the ${options.limits.maxBytes} byte decode limit; digests only` }
  }
  try {
    const result = await pdqFromImageBytes(bytes, {
      mode: options.mode,
      dihedral: options.dihedral,
      limits: options.limits,
      ...(timings ? { timings } : {}),
    })
    record.pdq = result.hash
    record.quality = result.quality
    record.mode = result.mode
    if (result.dihedral) record.dihedral = result.dihedral
    if (result.notes.length > 0) record.notes = result.notes
    return record
  } catch (error) {
    return {
      ...record,
      error: error instanceof DecodeError ? error.message : `hashing failed: ${describe(error)}`,
    }
  }
}
