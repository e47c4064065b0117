// The optional native JPEG decoder (native/jpeg, docs/decisions/0005-native-jpeg-decode.md): the system
// libjpeg(-turbo) called in-process for plain JPEGs, decoding into a buffer this thread reuses. It is
// built by scripts/build.mjs when a compiler and libjpeg's headers are present; without it, or with
// FOOTPRINT_NATIVE_JPEG=0, sharp decodes every image. Either way the pixels are the same.
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { Pixels } from './luma.js'

const ADDON = join('native', 'jpeg', 'build', 'Release', 'footprint_jpeg.node')

/** What the addon's decodeInto returns: decoded, the byte count `out` needs, or why it declined. */
type Outcome = { width: number; height: number; channels: number } | number | string

interface Addon {
  decodeInto(jpeg: Uint8Array, out: Uint8Array, maxPixels: number, maxScans: number): Outcome
  library: string
}

/**
 * Progressive files with more scans (SOS markers, counted in the bytes) go to sharp, whose `timeout`
 * bounds them: repeated scans are how a small file asks for unbounded decoding work, and libjpeg has
 * no time limit. Real progressive files have about 10 (libjpeg's default script), baseline ones 1–3.
 */
export const MAX_NATIVE_SCANS = 64

/** Buffers up to this size (a 16-megapixel RGB image) are kept for the next image; larger ones are not. */
const KEEP_BYTES = 48 * 1024 * 1024

function findAddon(): string | null {
  // src/hashing under Vitest, dist/src/hashing when built: walk up to the folder holding native/.
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const file = join(dir, ADDON)
    if (existsSync(file)) return file
    const parent = dirname(dir)
    if (parent === dir) return null
    dir = parent
  }
}

function load(): { addon: Addon | null; problem: string | null } {
  const file = findAddon()
  if (!file) return { addon: null, problem: `${ADDON} not built` }
  try {
    const addon = createRequire(import.meta.url)(file) as Partial<Addon>
    if (typeof addon.decodeInto !== 'function') return { addon: null, problem: `${file} has no decodeInto` }
    return { addon: addon as Addon, problem: null }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error)
    return { addon: null, problem: `${file} did not load: ${message.split('\n')[0]}` }
  }
}

const { addon, problem } = load()
let enabled = addon !== null && process.env.FOOTPRINT_NATIVE_JPEG !== '0'

export interface NativeJpegStatus {
  /** The addon is built and loaded in this thread. */
  available: boolean
  /** It is in use: available and not switched off. */
  enabled: boolean
  /** e.g. "libjpeg-turbo 2.1.5" (the headers it was compiled against). */
  library: string | null
  /** Why it is unavailable. */
  problem: string | null
}

export function nativeJpegStatus(): NativeJpegStatus {
  return { available: addon !== null, enabled, library: addon?.library ?? null, problem }
}

/**
 * Switches the native decoder on (where available) or off; returns whether it is now in use. For tests
 * and the bench; FOOTPRINT_NATIVE_JPEG=0 switches it off at start-up.
 */
export function useNativeJpeg(on: boolean): boolean {
  enabled = on && addon !== null
  return enabled
}

/** Images decoded natively in this thread (tests use it to see which path was taken). */
let decodedCount = 0
export const nativeJpegDecodes = (): number => decodedCount

// This thread's reusable output buffer. `lent` while a caller holds pixels decoded into it.
let scratch = new Uint8Array(0)
let lent = false

function outputBuffer(size: number, reuse: boolean): Uint8Array {
  if (!reuse || lent || size > KEEP_BYTES) return new Uint8Array(size)
  if (scratch.length < size) scratch = new Uint8Array(size)
  lent = true
  return scratch
}

function giveBack(buffer: Uint8Array): void {
  if (buffer === scratch) lent = false
}

/**
 * Decodes a plain JPEG (the caller has checked its frame header: baseline, extended or progressive, 8-bit,
 * 1 or 3 components, within the pixel limit) into RGB, or returns null when the native decoder is off
 * or declines the file; the caller then decodes it with sharp. Declined: any libjpeg error or warning
 * (corrupt, truncated, extraneous bytes), more than MAX_NATIVE_SCANS scans, anything but 8-bit grey,
 * YCbCr or RGB in libjpeg's own reading of the header.
 *
 * With `reuse`, the pixels are in this thread's reusable buffer and must be handed back with
 * releaseNativePixels() once read (a second decode meanwhile gets a buffer of its own); without it they
 * are the caller's.
 */
export function decodeJpegNatively(
  bytes: Uint8Array,
  width: number,
  height: number,
  maxPixels: number,
  reuse: boolean,
): Pixels | null {
  if (!enabled || !addon) return null
  let out = outputBuffer(width * height * 3, reuse)
  let outcome = addon.decodeInto(bytes, out, maxPixels, MAX_NATIVE_SCANS)
  if (typeof outcome === 'number') {
    // libjpeg read other dimensions than the frame header gave (it cannot, short of a bug): once more.
    giveBack(out)
    out = outputBuffer(outcome, reuse)
    outcome = addon.decodeInto(bytes, out, maxPixels, MAX_NATIVE_SCANS)
  }
  if (typeof outcome !== 'object') {
    giveBack(out)
    return null
  }
  decodedCount++
  const size = outcome.width * outcome.height * outcome.channels
  return { ...outcome, data: out.length === size ? out : out.subarray(0, size) }
}

/** Returns pixels from decodeJpegNatively(…, reuse = true) to the thread's buffer; anything else is ignored. */
export function releaseNativePixels(pixels: Pixels): boolean {
  if (pixels.data.buffer !== scratch.buffer) return false
  lent = false
  return true
}
