// Decoded pixels → float32 luminance (pdq.md §1.2–1.3), with the reference CLI's 512×512
// nearest-neighbour resize fused in so that only the sampled pixels are converted.
import { wasmLuma } from './pdq-simd.js'

export type PdqMode = 'reference' | 'full'
export const PDQ_MODES: readonly PdqMode[] = ['reference', 'full']

/** The reference CLI resizes anything wider or taller than this to exactly this square. */
export const REFERENCE_SIDE = 512

export interface Pixels {
  /** Interleaved 8-bit samples, `channels` per pixel, row-major. */
  data: Uint8Array
  width: number
  height: number
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA; alpha is ignored, never composited, as in the reference. */
  channels: number
}

export interface Luma {
  luma: Float32Array
  width: number
  height: number
  /** True when the grey path was used (one channel, or every pixel has R = G = B). */
  grey: boolean
}

const R = Math.fround(0.299)
const G = Math.fround(0.587)
const B = Math.fround(0.114)

// f32(f32(cR·r) + f32(cG·g)) depends only on (r, g) and f32(cB·b) only on b, so two tables replace
// three multiplications and four roundings per pixel; the final addition is rounded by the store.
const redGreen = new Float32Array(65536)
const blue = new Float32Array(256)
for (let r = 0; r < 256; r++) {
  const red = Math.fround(R * r)
  for (let g = 0; g < 256; g++) redGreen[(r << 8) | g] = red + Math.fround(G * g)
}
for (let b = 0; b < 256; b++) blue[b] = B * b

const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1

/**
 * Grey check on 4-byte words (R, G, B little-endian in each): 4 RGB pixels per 3 words. Returns how
 * many bytes it checked, or −1 at the first colour pixel.
 */
function greyWordsRgb(words: Uint32Array): number {
  for (let i = 0; i + 3 <= words.length; i += 3) {
    const w0 = words[i]!
    const w1 = words[i + 1]!
    const w2 = words[i + 2]!
    // Bytes r0 g0 b0 r1 | g1 b1 r2 g2 | b2 r3 g3 b3: equal neighbours XOR to zero.
    const differ =
      ((w0 ^ (w0 >>> 8)) & 0xffff) |
      ((w1 ^ (w1 >>> 8)) & 0xff00ff) |
      ((w2 ^ (w2 >>> 8)) & 0xffff00) |
      ((w0 >>> 24) ^ (w1 & 0xff)) |
      ((w1 >>> 24) ^ (w2 & 0xff))
    if (differ !== 0) return -1
  }
  return Math.floor(words.length / 3) * 12
}

function greyWordsRgba(words: Uint32Array): number {
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!
    if (((w ^ (w >>> 8)) & 0xffff) !== 0) return -1
  }
  return words.length * 4
}

/** ImageMagick writes a one-channel PNM when every pixel has R = G = B; the reference then uses the grey value. */
export function isAllGrey(pixels: Pixels): boolean {
  const { data, channels } = pixels
  if (channels < 3) return true
  const end = pixels.width * pixels.height * channels
  // A grey image has to be read to the end: a word at a time that took 0.6 ms instead of 1.4 for a
  // 1000×1000 RGB one. Colour images usually stop at the first pixel either way.
  let checked = 0
  if (LITTLE_ENDIAN && (channels === 3 || channels === 4) && data.byteOffset % 4 === 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset, Math.floor(end / 12) * 3)
    checked = channels === 3 ? greyWordsRgb(words) : greyWordsRgba(words)
    if (checked < 0) return false
  }
  for (let i = checked; i < end; i += channels) {
    const r = data[i]!
    if (r !== data[i + 1] || r !== data[i + 2]) return false
  }
  return true
}

/** Target size for a mode: the CLI squashes anything over 512 px to 512×512, ignoring aspect ratio. */
export function targetSize(width: number, height: number, mode: PdqMode): { width: number; height: number } {
  if (mode === 'reference' && (width > REFERENCE_SIDE || height > REFERENCE_SIDE)) {
    return { width: REFERENCE_SIDE, height: REFERENCE_SIDE }
  }
  return { width, height }
}

let kept = new Float32Array(0)
const KEEP_LIMIT = 4_194_304

function lumaBuffer(size: number): Float32Array {
  if (kept.length >= size) return kept
  const buffer = new Float32Array(size)
  if (size <= KEEP_LIMIT) kept = buffer
  return buffer
}

// Small leaf functions for the hot loops: V8 optimises them far better (3×) than the same loops inlined
// in one larger function.
function rgbRun(data: Uint8Array, step: number, out: Float32Array, n: number): void {
  const rg = redGreen
  const b = blue
  // A literal stride for the common 3- and 4-channel layouts lets V8 drop most bounds checks.
  if (step === 3) {
    for (let p = 0, i = 0; p < n; p++, i += 3) out[p] = rg[(data[i]! << 8) | data[i + 1]!]! + b[data[i + 2]!]!
  } else if (step === 4) {
    for (let p = 0, i = 0; p < n; p++, i += 4) out[p] = rg[(data[i]! << 8) | data[i + 1]!]! + b[data[i + 2]!]!
  } else {
    for (let p = 0, i = 0; p < n; p++, i += step)
      out[p] = rg[(data[i]! << 8) | data[i + 1]!]! + b[data[i + 2]!]!
  }
}

function greyRun(data: Uint8Array, step: number, out: Float32Array, n: number): void {
  for (let p = 0, i = 0; p < n; p++, i += step) out[p] = data[i]!
}

function rgbSampledRow(
  data: Uint8Array,
  rowBase: number,
  sourceX: Int32Array,
  out: Float32Array,
  outBase: number,
): void {
  const rg = redGreen
  const b = blue
  for (let x = 0; x < sourceX.length; x++) {
    const i = rowBase + sourceX[x]!
    out[outBase + x] = rg[(data[i]! << 8) | data[i + 1]!]! + b[data[i + 2]!]!
  }
}

function greySampledRow(
  data: Uint8Array,
  rowBase: number,
  sourceX: Int32Array,
  out: Float32Array,
  outBase: number,
): void {
  for (let x = 0; x < sourceX.length; x++) out[outBase + x] = data[rowBase + sourceX[x]!]!
}

/**
 * Luminance for `mode`. The returned buffer is reused by the next call (and overwritten by PDQ),
 * so it must be consumed before converting another image.
 */
export function lumaFromPixels(pixels: Pixels, mode: PdqMode): Luma {
  const { data, channels } = pixels
  const { width, height } = targetSize(pixels.width, pixels.height, mode)
  const grey = isAllGrey(pixels)
  const resized = width !== pixels.width || height !== pixels.height
  // Integer-exact CImg nearest neighbour: source = floor(target · size / 512), top-left anchored.
  const sourceX = new Int32Array(width)
  for (let x = 0; x < width; x++) {
    sourceX[x] = (resized ? Math.floor((x * pixels.width) / width) : x) * channels
  }
  const rows = resized ? new Int32Array(height) : null
  if (rows) for (let y = 0; y < height; y++) rows[y] = Math.floor((y * pixels.height) / height)
  // In the PDQ filters' WebAssembly memory when they are in use, which also saves PDQ a copy.
  const inWasm = wasmLuma(data, pixels.width * channels, rows, sourceX, height, grey)
  if (inWasm) return { luma: inWasm, width, height, grey }
  const luma = lumaBuffer(width * height)
  if (!rows) {
    // Full size: one straight pass, no index table.
    const n = width * height
    if (grey) greyRun(data, channels, luma, n)
    else rgbRun(data, channels, luma, n)
    return { luma, width, height, grey }
  }
  for (let y = 0; y < height; y++) {
    const rowBase = rows[y]! * pixels.width * channels
    if (grey) greySampledRow(data, rowBase, sourceX, luma, y * width)
    else rgbSampledRow(data, rowBase, sourceX, luma, y * width)
  }
  return { luma, width, height, grey }
}
