// The PDQ 64×64 → 16×16 DCT (pdq.md §1.8). Every product and every addition is rounded to float32 in
// the reference's order (k ascending, accumulator starting at 0); V8 never fuses multiply-add, so
// double arithmetic followed by float32 rounding is exactly the reference's float32 arithmetic.
import { PDQ_GRID } from './jarosz.js'
import { wasmDct } from './pdq-simd.js'

export const PDQ_COEFFS = 16

/** D[i][k] = f32(f32(sqrt(2/64)) · cos((π/2/64)·(i+1)·(2k+1))), computed in double in that order. */
function buildDctMatrix(): Float32Array {
  const matrix = new Float32Array(PDQ_COEFFS * PDQ_GRID)
  const scale = Math.fround(Math.sqrt(2 / PDQ_GRID))
  for (let i = 0; i < PDQ_COEFFS; i++) {
    for (let k = 0; k < PDQ_GRID; k++) {
      matrix[i * PDQ_GRID + k] = scale * Math.cos((Math.PI / 2 / PDQ_GRID) * (i + 1) * (2 * k + 1))
    }
  }
  return matrix
}

export const DCT_MATRIX: Float32Array = buildDctMatrix()

/** 16×64 intermediate kept between calls so the hot path allocates nothing. */
const partial = new Float32Array(PDQ_COEFFS * PDQ_GRID)

/**
 * B = D · A · Dᵀ restricted to frequencies 1..16 in both directions; `grid` is 64×64 row-major and
 * `out` receives 16×16 row-major (row = vertical frequency).
 */
export function dct16(grid: Float32Array, out: Float32Array): Float32Array {
  const d = DCT_MATRIX
  if (wasmDct(grid, out, d)) return out
  partial.fill(0)
  // T[i][j] = Σ_k D[i][k]·A[k][j]; looping k outside j keeps each (i, j) sum in k order.
  for (let i = 0; i < PDQ_COEFFS; i++) {
    const tBase = i * PDQ_GRID
    for (let k = 0; k < PDQ_GRID; k++) {
      const dik = d[tBase + k]!
      const aBase = k * PDQ_GRID
      for (let j = 0; j < PDQ_GRID; j++) {
        partial[tBase + j] = partial[tBase + j]! + Math.fround(dik * grid[aBase + j]!)
      }
    }
  }
  // B[i][j] = Σ_k T[i][k]·D[j][k]
  for (let i = 0; i < PDQ_COEFFS; i++) {
    const tBase = i * PDQ_GRID
    for (let j = 0; j < PDQ_COEFFS; j++) {
      const dBase = j * PDQ_GRID
      let sum = 0
      for (let k = 0; k < PDQ_GRID; k++) {
        sum = Math.fround(sum + Math.fround(partial[tBase + k]! * d[dBase + k]!))
      }
      out[i * PDQ_COEFFS + j] = sum
    }
  }
  return out
}
