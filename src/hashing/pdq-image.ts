// Image bytes → PDQ: decode, luminance for the chosen mode, hash. The one per-file path shared by the
// single-thread code, the worker threads and the tests.
import { DEFAULT_DECODE_LIMITS, type DecodeLimits, decodeImage } from './decode.js'
import { type Luma, lumaFromPixels, type PdqMode } from './luma.js'
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

interface Sampled extends Luma {
  sourceWidth: number
  sourceHeight: number
  notes: string[]
}

/** Decode and luminance in their own frame, so that the decoded pixels are unreachable once it returns. */
async function sample(
  bytes: Buffer,
  mode: PdqMode,
  limits: DecodeLimits,
  timings: PdqTimings | undefined,
): Promise<Sampled> {
  const t0 = performance.now()
  const { pixels, notes } = await decodeImage(bytes, limits)
  const t1 = performance.now()
  const luma = lumaFromPixels(pixels, mode)
  if (timings) {
    timings.decodeMs += t1 - t0
    timings.resizeMs += performance.now() - t1
  }
  return { ...luma, sourceWidth: pixels.width, sourceHeight: pixels.height, notes }
}

export async function pdqFromImageBytes(
  bytes: Buffer,
  options: { mode: PdqMode; dihedral?: boolean; limits?: DecodeLimits; timings?: PdqTimings },
): Promise<ImagePdq> {
  const { timings } = options
  const sampled = await sample(bytes, options.mode, options.limits ?? DEFAULT_DECODE_LIMITS, timings)
  const t0 = performance.now()
  const { luma, width, height } = sampled
  const result = pdqFromLuma(luma, height, width, { dihedral: options.dihedral ?? false })
  // After the hash, so that it does not run between luminance and hash, which share the luminance
  // buffer; the pixels are freed before the next decode either way. Counted with the hash: it is the
  // price of not faulting in the next decode's pages.
  releaseDecodedMemory()
  if (timings) timings.hashMs += performance.now() - t0
  return {
    ...result,
    mode: options.mode,
    width: sampled.sourceWidth,
    height: sampled.sourceHeight,
    notes: sampled.notes,
  }
}
