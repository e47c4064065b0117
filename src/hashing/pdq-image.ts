// Image bytes → PDQ: decode, luminance for the chosen mode, hash. The one per-file path shared by the
// single-thread code, the worker threads and the tests.
import { DEFAULT_DECODE_LIMITS, type DecodeLimits, decodeImage } from './decode.js'
import { type Luma, lumaFromPixels, type PdqMode } from './luma.js'
import { releaseNativePixels } from './native-jpeg.js'
import { type PdqResult, pdqFromLuma } from './pdq.js'
import { releaseDecodedMemory } from './release.js'

export interface ImagePdq extends PdqResult {
  mode: PdqMode
  width: number
  height: number
  notes: string[]
}

export interface PdqTimings {
  decodeMs: number
  resizeMs: number
  hashMs: number
}

interface Hashed {
  result: PdqResult
  sourceWidth: number
  sourceHeight: number
  notes: string[]
  /** Decoded into the native decoder's reused buffer: no decoded pixels are left for V8 to free. */
  reused: boolean
}

/**
 * Decode, luminance and hash in their own frame, so that the decoded pixels are unreachable once it
 * returns. Nothing may await between luminance and hash: the luminance buffer is shared by every image
 * in flight in this thread (two when hashing without workers), and a native decode, which completes
 * without yielding, would otherwise overwrite it in between.
 */
async function decodeAndHash(
  bytes: Buffer,
  mode: PdqMode,
  dihedral: boolean,
  limits: DecodeLimits,
  timings: PdqTimings | undefined,
): Promise<Hashed> {
  const t0 = performance.now()
  // Pixels in the native decoder's buffer are this call's alone until released below (another decode
  // meanwhile gets a buffer of its own).
  const { pixels, notes } = await decodeImage(bytes, limits, { reuseBuffer: true })
  const t1 = performance.now()
  let luma: Luma
  let reused = false
  try {
    luma = lumaFromPixels(pixels, mode)
  } finally {
    // Luminance has its own copy (or the WebAssembly module's): the pixels are not read again.
    reused = releaseNativePixels(pixels)
  }
  const t2 = performance.now()
  const result = pdqFromLuma(luma.luma, luma.height, luma.width, { dihedral })
  if (timings) {
    timings.decodeMs += t1 - t0
    timings.resizeMs += t2 - t1
    timings.hashMs += performance.now() - t2
  }
  return { result, sourceWidth: pixels.width, sourceHeight: pixels.height, notes, reused }
}

export async function pdqFromImageBytes(
  bytes: Buffer,
  options: { mode: PdqMode; dihedral?: boolean; limits?: DecodeLimits; timings?: PdqTimings },
): Promise<ImagePdq> {
  const { timings } = options
  const limits = options.limits ?? DEFAULT_DECODE_LIMITS
  const hashed = await decodeAndHash(bytes, options.mode, options.dihedral ?? false, limits, timings)
  // Frees sharp's pixels before the next decode (release.ts), after the hash so that it does not run
  // between luminance and hash. Counted with the hash: it is the price of not faulting in the next
  // decode's pages. Natively decoded pixels are in a reused buffer and leave nothing to free: skipping
  // the collection saved 0.2–0.5 CPU ms per image with no more page faults once warm
  // (docs/decisions/0005-native-jpeg-decode.md).
  const t0 = performance.now()
  if (!hashed.reused) releaseDecodedMemory()
  if (timings) timings.hashMs += performance.now() - t0
  return {
    ...hashed.result,
    mode: options.mode,
    width: hashed.sourceWidth,
    height: hashed.sourceHeight,
    notes: hashed.notes,
  }
}
