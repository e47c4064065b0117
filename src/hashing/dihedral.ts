// The 7 dihedral variants of a PDQ hash, derived from the DCT coefficients without re-hashing
// (pdq.md §1.11). Row index i is vertical frequency i+1, so "i odd" is an even frequency, which is
// why the signs look inverted at first sight.
import { PDQ_COEFFS } from './dct.js'

/** Reference output order of `--pdqdih-across`. */
export const DIHEDRAL_NAMES = [
  'original',
  'rotate90',
  'rotate180',
  'rotate270',
  'flipX',
  'flipY',
  'flipPlus1',
  'flipMinus1',
] as const

export type DihedralName = (typeof DIHEDRAL_NAMES)[number]

const odd = (n: number): boolean => (n & 1) === 1

/** Writes each transformed coefficient matrix; `out[0]` is a copy of the original. */
export function dihedralCoefficients(b: Float32Array, out: Float32Array[]): void {
  const n = PDQ_COEFFS
  const [orig, rot90, rot180, rot270, flipX, flipY, flipPlus1, flipMinus1] = out
  if (!orig || !rot90 || !rot180 || !rot270 || !flipX || !flipY || !flipPlus1 || !flipMinus1) {
    throw new Error('dihedralCoefficients needs 8 output buffers')
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const v = b[i * n + j]!
      const ij = i * n + j
      const ji = j * n + i
      orig[ij] = v
      rot90[ji] = odd(j) ? v : -v
      rot180[ij] = odd(i + j) ? -v : v
      rot270[ji] = odd(i) ? v : -v
      flipX[ij] = odd(i) ? v : -v
      flipY[ij] = odd(j) ? v : -v
      flipPlus1[ji] = v
      flipMinus1[ji] = odd(i + j) ? -v : v
    }
  }
}
