// Image bytes → PDQ: decode, luminance for the chosen mode, hash. The one per-file path shared by the
// single-thread code, the worker threads and the tests.
import { DEFAULT_DECODE_LIMITS, type DecodeLimits, decodeImage } from './decode.js'
import { lumaFromPixels, type PdqMode } from './luma.js'
import { type PdqResult, pdqFromLuma } from './pdq.js'

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

export async function pdqFromImageBytes(
  bytes: Buffer,
  options: { mode: PdqMode; dihedral?: boolean; limits?: DecodeLimits; timings?: PdqTimings },
): Promise<ImagePdq> {
  const t0 = performance.now()
  const decoded = await decodeImage(bytes, options.limits ?? DEFAULT_DECODE_LIMITS)
  const t1 = performance.now()
  const { luma, width, height } = lumaFromPixels(decoded.pixels, options.mode)
  const t2 = performance.now()
  const result = pdqFromLuma(luma, height, width, { dihedral: options.dihedral ?? false })
  const t3 = performance.now()
  if (options.timings) {
    options.timings.decodeMs += t1 - t0
    options.timings.resizeMs += t2 - t1
    options.timings.hashMs += t3 - t2
  }
  return {
    ...result,
    mode: options.mode,
    width: decoded.pixels.width,
    height: decoded.pixels.height,
    notes: decoded.notes,
  }
}
