// PDQ from a float32 luminance matrix (pdq.md §1.3–1.11). Pure: no I/O, no decoding.
import { dct16, PDQ_COEFFS } from './dct.js'
import { dihedralCoefficients } from './dihedral.js'
import { JaroszScratch, jaroszFilterAndDecimate, PDQ_GRID } from './jarosz.js'

/** Below this side length the reference gives up: all-zero hash, quality 0. */
export const PDQ_MIN_SIDE = 5
export const PDQ_HEX_LENGTH = 64
export const ZERO_PDQ = '0'.repeat(PDQ_HEX_LENGTH)

export interface PdqResult {
  /** 64 lower-case hex digits, the reference's word order (row 15 first). */
  hash: string
  /** 0–100; upstream advises discarding hashes below 50. */
  quality: number
  /** All 8 dihedral hashes in reference order (original first), when asked for. */
  dihedral?: string[]
}

/** Gradient-energy quality on the 64×64 grid; float32 steps as in the reference. */
export function pdqQuality(grid: Float32Array): number {
  let total = 0
  for (let i = 0; i < PDQ_GRID - 1; i++) {
    for (let j = 0; j < PDQ_GRID; j++) {
      const diff = Math.fround(grid[i * PDQ_GRID + j]! - grid[(i + 1) * PDQ_GRID + j]!)
      total += Math.abs(Math.trunc(Math.fround(Math.fround(diff * 100) / 255)))
    }
  }
  for (let i = 0; i < PDQ_GRID; i++) {
    for (let j = 0; j < PDQ_GRID - 1; j++) {
      const diff = Math.fround(grid[i * PDQ_GRID + j]! - grid[i * PDQ_GRID + j + 1]!)
      total += Math.abs(Math.trunc(Math.fround(Math.fround(diff * 100) / 255)))
    }
  }
  return Math.min(100, Math.floor(total / 90))
}

const sortBuffer = new Float32Array(PDQ_COEFFS * PDQ_COEFFS)

/**
 * Thresholds the 16×16 coefficients against their lower median (strictly greater → 1) and formats
 * the 16 row words from row 15 down to row 0, so the hex is the 256-bit integer Σ bit[k]·2^k.
 */
export function coefficientsToHex(coefficients: Float32Array): string {
  sortBuffer.set(coefficients)
  sortBuffer.sort()
  const median = sortBuffer[(PDQ_COEFFS * PDQ_COEFFS) / 2 - 1]!
  let hex = ''
  for (let row = PDQ_COEFFS - 1; row >= 0; row--) {
    let word = 0
    for (let col = 0; col < PDQ_COEFFS; col++) {
      if (coefficients[row * PDQ_COEFFS + col]! > median) word |= 1 << col
    }
    hex += word.toString(16).padStart(4, '0')
  }
  return hex
}

/** Hamming distance between two 64-hex-digit hashes. */
export function pdqDistance(a: string, b: string): number {
  if (!isPdqHex(a) || !isPdqHex(b)) throw new Error('PDQ hashes must be 64 lower-case hex digits')
  let distance = 0
  for (let i = 0; i < PDQ_HEX_LENGTH; i += 8) {
    let x = (Number.parseInt(a.slice(i, i + 8), 16) ^ Number.parseInt(b.slice(i, i + 8), 16)) >>> 0
    while (x !== 0) {
      x &= x - 1
      distance++
    }
  }
  return distance
}

export function isPdqHex(value: string): boolean {
  return /^[0-9a-f]{64}$/.test(value)
}

const scratch = new JaroszScratch()
const coefficients = new Float32Array(PDQ_COEFFS * PDQ_COEFFS)
const dihedralBuffers = Array.from({ length: 8 }, () => new Float32Array(PDQ_COEFFS * PDQ_COEFFS))

/**
 * Hashes a row-major float32 luminance matrix. `luma` is used as working memory and overwritten,
 * which saves a megapixel-sized copy per image; callers that need it afterwards pass a copy.
 */
export function pdqFromLuma(
  luma: Float32Array,
  height: number,
  width: number,
  options: { dihedral?: boolean } = {},
): PdqResult {
  if (height < PDQ_MIN_SIDE || width < PDQ_MIN_SIDE) {
    return options.dihedral
      ? { hash: ZERO_PDQ, quality: 0, dihedral: Array.from({ length: 8 }, () => ZERO_PDQ) }
      : { hash: ZERO_PDQ, quality: 0 }
  }
  if (luma.length < height * width) throw new Error('luminance buffer is smaller than height × width')
  const grid = jaroszFilterAndDecimate(luma, height, width, scratch)
  const quality = pdqQuality(grid)
  dct16(grid, coefficients)
  const hash = coefficientsToHex(coefficients)
  if (!options.dihedral) return { hash, quality }
  dihedralCoefficients(coefficients, dihedralBuffers)
  return { hash, quality, dihedral: dihedralBuffers.map(coefficientsToHex) }
}
