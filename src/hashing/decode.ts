// Decoding for PDQ with sharp, set up to give the pixels the C++ reference sees through ImageMagick.
// Each option is justified in docs/decisions/0002-pdq-decoding.md. Plain JPEGs go to the native
// libjpeg decoder first when it is built (same pixels, docs/decisions/0005-native-jpeg-decode.md).
import sharp from 'sharp'
import { readJpegFrame } from './jpeg-header.js'
import type { Pixels } from './luma.js'
import { decodeJpegNatively } from './native-jpeg.js'

export interface DecodeLimits {
  /** width × height above which an image is refused before decoding (decompression bombs). */
  maxPixels: number
  /** Files larger than this are not decoded (their MD5/SHA-1 are still computed). */
  maxBytes: number
  /** libvips processing time allowed per image. */
  timeoutSeconds: number
}

export const DEFAULT_DECODE_LIMITS: DecodeLimits = {
  maxPixels: 50_000_000,
  maxBytes: 256 * 1024 * 1024,
  timeoutSeconds: 30,
}

/**
 * Raster formats only. Vector input (SVG, PDF) has no pixels of its own: its PDQ would depend on the
 * renderer and the chosen resolution, and rendering untrusted SVG is a needless attack surface.
 */
const RASTER_FORMATS: ReadonlySet<string> = new Set([
  'jpeg',
  'png',
  'webp',
  'gif',
  'tiff',
  'avif',
  'heif',
  'jp2',
  'jxl',
])

export type DecodeFailure = 'empty' | 'too-large' | 'not-an-image' | 'corrupt' | 'timeout'

/** A per-file problem: reported in the manifest, never allowed to stop a batch. */
export class DecodeError extends Error {
  constructor(
    readonly reason: DecodeFailure,
    message: string,
  ) {
    super(message)
    this.name = 'DecodeError'
  }
}

export interface DecodedImage {
  pixels: Pixels
  format: string
  /** Deviations from the reference's decode that a reviewer should know about. */
  notes: string[]
}

function classify(error: unknown, limits: DecodeLimits): DecodeError {
  const message = error instanceof Error ? error.message : String(error)
  if (/unsupported image format|bad seek|Input file is missing/i.test(message)) {
    return new DecodeError('not-an-image', 'not an image (unsupported or unrecognised format)')
  }
  if (/exceeds pixel limit/i.test(message)) {
    return new DecodeError('too-large', `image exceeds the ${limits.maxPixels} pixel limit`)
  }
  if (/timeout/i.test(message)) {
    return new DecodeError('timeout', `decoding took longer than ${limits.timeoutSeconds} s`)
  }
  return new DecodeError('corrupt', `corrupt or truncated image: ${message.split('\n')[0]?.trim()}`)
}

/**
 * CMYK → RGB as ImageMagick's `convert … pnm:-` does it, bit for bit: R = (1 − C)(1 − K) on ink values,
 * computed at Q16 and reduced to 8 bits, which equals round((255 − c)(255 − k) / 255) on 8-bit ink.
 * `pipelineColourspace('cmyk')` gives the stored CMYK untouched by any profile (libvips' own conversion
 * goes through a CMYK profile and was 6–12 bits off). Both libraries read every CMYK JPEG as Adobe's
 * inverted storage (ImageMagick: `QuantumRange − sample`; the libvips in sharp 0.34.5: `255 − sample`,
 * Adobe marker or not), so libvips' samples are ImageMagick's ink values as they are.
 */
async function decodeCmyk(
  bytes: Buffer,
  input: sharp.SharpOptions,
  limits: DecodeLimits,
  depth: string | undefined,
): Promise<Pixels> {
  // 16-bit CMYK (TIFF): read as 16-bit and keep the high byte, as for 16-bit RGB; a cast to 8 bits would clip.
  const wide = depth === 'ushort'
  const { data, info } = await sharp(bytes, input)
    .timeout({ seconds: limits.timeoutSeconds })
    .pipelineColourspace('cmyk')
    .toColourspace('cmyk')
    .raw({ depth: wide ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true })
  const samples = wide
    ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength >> 1)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  const shift = wide ? 8 : 0
  const { width, height, channels } = info
  if (channels < 4) throw new DecodeError('corrupt', `CMYK image with ${channels} channels`)
  const n = width * height
  const rgb = new Uint8Array(n * 3)
  for (let p = 0, i = 0, o = 0; p < n; p++, i += channels, o += 3) {
    const white = 255 - (samples[i + 3]! >> shift)
    // round(x / 255) as floor((x + 127) / 255): x / 255 never ends in exactly .5 (255 is odd).
    rgb[o] = Math.floor(((255 - (samples[i]! >> shift)) * white + 127) / 255)
    rgb[o + 1] = Math.floor(((255 - (samples[i + 1]! >> shift)) * white + 127) / 255)
    rgb[o + 2] = Math.floor(((255 - (samples[i + 2]! >> shift)) * white + 127) / 255)
  }
  return { data: rgb, width, height, channels: 3 }
}

/** 8-bit grey or three-component JPEGs in the frame types every libjpeg decodes: baseline, extended, progressive. */
const PLAIN_JPEG_FRAMES: ReadonlySet<number> = new Set([0xc0, 0xc1, 0xc2])

function refuseSize(width: number, height: number, limits: DecodeLimits): void {
  if (width * height > limits.maxPixels) {
    throw new DecodeError(
      'too-large',
      `image of ${width}×${height} exceeds the ${limits.maxPixels} pixel limit`,
    )
  }
}

async function decodeRaw(bytes: Buffer, input: sharp.SharpOptions, limits: DecodeLimits): Promise<Pixels> {
  const { data, info } = await sharp(bytes, input)
    .timeout({ seconds: limits.timeoutSeconds })
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true })
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    width: info.width,
    height: info.height,
    channels: info.channels,
  }
}

export interface DecodeOptions {
  /**
   * Plain JPEGs decoded natively go into this thread's reusable buffer: the caller must read the pixels
   * and hand them back with releaseNativePixels() (native-jpeg.ts) before it next decodes. Without it
   * the pixels belong to the caller.
   */
  reuseBuffer?: boolean
}

export async function decodeImage(
  bytes: Buffer,
  limits: DecodeLimits = DEFAULT_DECODE_LIMITS,
  options: DecodeOptions = {},
): Promise<DecodedImage> {
  if (bytes.length === 0) throw new DecodeError('empty', 'empty file (0 bytes)')
  if (bytes.length > limits.maxBytes) {
    throw new DecodeError('too-large', `file exceeds the ${limits.maxBytes} byte decode limit`)
  }
  const input = {
    // The reference never applies embedded colour profiles; applying them moves pixels and bits.
    ignoreIcc: true,
    // The reference (via ImageMagick `convert`) never auto-orients, so neither do we.
    autoOrient: false,
    // Animated GIF/WebP/multi-page TIFF: the first frame only, as ImageMagick's first image.
    pages: 1,
    limitInputPixels: limits.maxPixels,
    // Truncated data is refused rather than hashed as a partly grey image; recoverable warnings pass.
    failOn: 'truncated' as const,
    // We read each image once, top to bottom: libvips then streams it instead of first decoding it
    // into a whole-image buffer of its own and copying that (the same pixels, 1 ms less per 1000×1000).
    sequentialRead: true,
  }
  try {
    // Most files are 8-bit JPEGs without CMYK: their frame header tells all that metadata() would,
    // so they skip its separate header pass. Anything else (CMYK, 12-bit, lossless, odd) goes below.
    const frame = readJpegFrame(bytes)
    if (
      frame &&
      PLAIN_JPEG_FRAMES.has(frame.marker) &&
      frame.precision === 8 &&
      (frame.components === 1 || frame.components === 3) &&
      frame.width > 0 &&
      frame.height > 0
    ) {
      refuseSize(frame.width, frame.height, limits)
      // Declined (off, not built, any libjpeg warning or error, too many scans): sharp, as for any file.
      const native = decodeJpegNatively(
        bytes,
        frame.width,
        frame.height,
        limits.maxPixels,
        options.reuseBuffer ?? false,
      )
      if (native) return { pixels: native, format: 'jpeg', notes: [] }
      return { pixels: await decodeRaw(bytes, input, limits), format: 'jpeg', notes: [] }
    }
    const metadata = await sharp(bytes, input).metadata()
    if (!RASTER_FORMATS.has(metadata.format ?? '')) {
      throw new DecodeError(
        'not-an-image',
        `not a raster image (${metadata.format ?? 'unknown'} is not hashed)`,
      )
    }
    refuseSize(metadata.width ?? 0, metadata.height ?? 0, limits)
    const notes: string[] = []
    if (metadata.depth !== undefined && metadata.depth !== 'uchar' && metadata.depth !== 'char') {
      notes.push(
        `${metadata.depth} samples reduced to 8 bits by keeping the high byte (the reference keeps the low byte)`,
      )
    }
    if ((metadata.pages ?? 1) > 1) notes.push(`first of ${metadata.pages} frames`)
    const format = metadata.format ?? 'unknown'
    if (metadata.space === 'cmyk') {
      return { pixels: await decodeCmyk(bytes, input, limits, metadata.depth), format, notes }
    }
    return { pixels: await decodeRaw(bytes, input, limits), format, notes }
  } catch (error) {
    if (error instanceof DecodeError) throw error
    throw classify(error, limits)
  }
}
