// Jarosz "tent" filter and 64×64 decimation, exactly as the PDQ reference computes them (pdq.md §1.5–1.6).
// The reference keeps a running float32 sum, so every add and subtract is rounded to float32 in the same
// order; Float32Array stores do that rounding. Results are bit-exact, so the shortcuts below only skip
// work whose result is never read: the last row pass divides only at the 64 sampled columns, and the last
// column pass runs only over those columns and divides only at the 64 sampled rows.

import { wasmFilter } from './pdq-simd.js'

export const PDQ_GRID = 64

/** Window of the box filter for a side of `dim` pixels: the reference's `(dim + 2·64 − 1) / (2·64)`. */
export function boxWindow(dim: number): number {
  return Math.floor((dim + 127) / 128)
}

/** Pixel index sampled for each of the 64 grid cells along a side (pixel centres, computed in double). */
export function sampleIndices(dim: number): Int32Array {
  const out = new Int32Array(PDQ_GRID)
  for (let i = 0; i < PDQ_GRID; i++) out[i] = Math.floor(((i + 0.5) * dim) / PDQ_GRID)
  return out
}

/** Running-sum box filter along one row (the reference's box1DFloat with stride 1). */
function boxOneRow(
  input: Float32Array,
  output: Float32Array,
  base: number,
  width: number,
  window: number,
  wanted: Uint8Array | null,
): void {
  const half = Math.floor((window + 2) / 2)
  let sum = 0
  let count = 0
  let ri = base
  let li = base
  let oi = 0
  for (let k = 0; k < half - 1; k++) {
    sum = Math.fround(sum + input[ri++]!)
    count++
  }
  for (let k = 0; k < window - half + 1; k++, oi++) {
    sum = Math.fround(sum + input[ri++]!)
    count++
    if (wanted === null || wanted[oi] === 1) output[base + oi] = sum / count
  }
  for (let k = 0; k < width - window; k++, oi++) {
    sum = Math.fround(Math.fround(sum + input[ri++]!) - input[li++]!)
    if (wanted === null || wanted[oi] === 1) output[base + oi] = sum / count
  }
  for (let k = 0; k < half - 1; k++, oi++) {
    sum = Math.fround(sum - input[li++]!)
    count--
    if (wanted === null || wanted[oi] === 1) output[base + oi] = sum / count
  }
}

/**
 * Box filter along every row. One row's running sum is a serial chain of float32 roundings, so four
 * rows are advanced together to keep the CPU busy (3× faster than one row at a time); each row still
 * sees exactly the reference's sequence of operations. `wanted` (one flag per column), when given,
 * limits divisions and stores to the columns a later pass reads; the sum still visits every pixel
 * because its rounding history decides the value.
 */
export function boxAlongRows(
  input: Float32Array,
  output: Float32Array,
  height: number,
  width: number,
  window: number,
  wanted: Uint8Array | null,
): void {
  const half = Math.floor((window + 2) / 2)
  const p1 = half - 1
  const p2 = window - half + 1
  const p3 = width - window
  const p4 = half - 1
  let row = 0
  for (; row + 4 <= height; row += 4) {
    const b0 = row * width
    const b1 = b0 + width
    const b2 = b1 + width
    const b3 = b2 + width
    let s0 = 0
    let s1 = 0
    let s2 = 0
    let s3 = 0
    let count = 0
    let ri = 0
    let li = 0
    let oi = 0
    for (let k = 0; k < p1; k++, ri++) {
      s0 = Math.fround(s0 + input[b0 + ri]!)
      s1 = Math.fround(s1 + input[b1 + ri]!)
      s2 = Math.fround(s2 + input[b2 + ri]!)
      s3 = Math.fround(s3 + input[b3 + ri]!)
      count++
    }
    for (let k = 0; k < p2; k++, ri++, oi++) {
      s0 = Math.fround(s0 + input[b0 + ri]!)
      s1 = Math.fround(s1 + input[b1 + ri]!)
      s2 = Math.fround(s2 + input[b2 + ri]!)
      s3 = Math.fround(s3 + input[b3 + ri]!)
      count++
      if (wanted === null || wanted[oi] === 1) {
        output[b0 + oi] = s0 / count
        output[b1 + oi] = s1 / count
        output[b2 + oi] = s2 / count
        output[b3 + oi] = s3 / count
      }
    }
    for (let k = 0; k < p3; k++, ri++, li++, oi++) {
      s0 = Math.fround(Math.fround(s0 + input[b0 + ri]!) - input[b0 + li]!)
      s1 = Math.fround(Math.fround(s1 + input[b1 + ri]!) - input[b1 + li]!)
      s2 = Math.fround(Math.fround(s2 + input[b2 + ri]!) - input[b2 + li]!)
      s3 = Math.fround(Math.fround(s3 + input[b3 + ri]!) - input[b3 + li]!)
      if (wanted === null || wanted[oi] === 1) {
        output[b0 + oi] = s0 / count
        output[b1 + oi] = s1 / count
        output[b2 + oi] = s2 / count
        output[b3 + oi] = s3 / count
      }
    }
    for (let k = 0; k < p4; k++, li++, oi++) {
      s0 = Math.fround(s0 - input[b0 + li]!)
      s1 = Math.fround(s1 - input[b1 + li]!)
      s2 = Math.fround(s2 - input[b2 + li]!)
      s3 = Math.fround(s3 - input[b3 + li]!)
      count--
      if (wanted === null || wanted[oi] === 1) {
        output[b0 + oi] = s0 / count
        output[b1 + oi] = s1 / count
        output[b2 + oi] = s2 / count
        output[b3 + oi] = s3 / count
      }
    }
  }
  for (; row < height; row++) boxOneRow(input, output, row * width, width, window, wanted)
}

/**
 * Box filter along every column, all columns advanced together one row at a time so memory is read
 * sequentially (a column-at-a-time walk with stride `width` thrashes the cache on large images). Each
 * column's sequence of float32 operations is the reference's, so the result is identical.
 */
export function boxAlongColumns(
  input: Float32Array,
  output: Float32Array,
  height: number,
  width: number,
  window: number,
  sums: Float32Array,
): void {
  const half = Math.floor((window + 2) / 2)
  const p1 = half - 1
  const p2 = window - half + 1
  const p3 = height - window
  const p4 = half - 1
  sums.fill(0, 0, width)
  let count = 0
  let ri = 0
  let li = 0
  let oi = 0
  for (let k = 0; k < p1; k++, ri++) {
    const inBase = ri * width
    for (let j = 0; j < width; j++) sums[j] = sums[j]! + input[inBase + j]!
    count++
  }
  for (let k = 0; k < p2; k++, ri++, oi++) {
    const inBase = ri * width
    const outBase = oi * width
    count++
    for (let j = 0; j < width; j++) {
      const s = Math.fround(sums[j]! + input[inBase + j]!)
      sums[j] = s
      output[outBase + j] = s / count
    }
  }
  // Two output rows per sweep keep each column's sum in a register between them.
  let k = 0
  for (; k + 2 <= p3; k += 2, ri += 2, li += 2, oi += 2) {
    const inBase = ri * width
    const leftBase = li * width
    const outBase = oi * width
    for (let j = 0; j < width; j++) {
      let s = Math.fround(Math.fround(sums[j]! + input[inBase + j]!) - input[leftBase + j]!)
      output[outBase + j] = s / count
      s = Math.fround(Math.fround(s + input[inBase + width + j]!) - input[leftBase + width + j]!)
      output[outBase + width + j] = s / count
      sums[j] = s
    }
  }
  for (; k < p3; k++, ri++, li++, oi++) {
    const inBase = ri * width
    const leftBase = li * width
    const outBase = oi * width
    for (let j = 0; j < width; j++) {
      const s = Math.fround(Math.fround(sums[j]! + input[inBase + j]!) - input[leftBase + j]!)
      sums[j] = s
      output[outBase + j] = s / count
    }
  }
  for (let k = 0; k < p4; k++, li++, oi++) {
    const leftBase = li * width
    const outBase = oi * width
    count--
    for (let j = 0; j < width; j++) {
      const s = Math.fround(sums[j]! - input[leftBase + j]!)
      sums[j] = s
      output[outBase + j] = s / count
    }
  }
}

/**
 * The final column pass fused with decimation: runs the column sums only over the 64 sampled columns
 * and keeps only the 64 sampled rows, writing the 64×64 grid row-major into `grid`.
 */
function lastColumnPassAndDecimate(
  input: Float32Array,
  height: number,
  width: number,
  window: number,
  rows: Int32Array,
  cols: Int32Array,
  sums: Float32Array,
  grid: Float32Array,
): void {
  const half = Math.floor((window + 2) / 2)
  const p1 = half - 1
  const p2 = window - half + 1
  const p3 = height - window
  const p4 = half - 1
  // Map each output row to its grid row (or −1); several grid rows share a pixel row when height < 64.
  sums.fill(0, 0, PDQ_GRID)
  let nextGridRow = 0
  const emit = (oi: number, count: number): void => {
    while (nextGridRow < PDQ_GRID && rows[nextGridRow] === oi) {
      const outBase = nextGridRow * PDQ_GRID
      for (let c = 0; c < PDQ_GRID; c++) grid[outBase + c] = sums[c]! / count
      nextGridRow++
    }
  }
  let count = 0
  let ri = 0
  let li = 0
  let oi = 0
  for (let k = 0; k < p1; k++, ri++) {
    const inBase = ri * width
    for (let c = 0; c < PDQ_GRID; c++) sums[c] = sums[c]! + input[inBase + cols[c]!]!
    count++
  }
  for (let k = 0; k < p2; k++, ri++, oi++) {
    const inBase = ri * width
    for (let c = 0; c < PDQ_GRID; c++) sums[c] = sums[c]! + input[inBase + cols[c]!]!
    count++
    emit(oi, count)
  }
  for (let k = 0; k < p3; k++, ri++, li++, oi++) {
    const inBase = ri * width
    const leftBase = li * width
    for (let c = 0; c < PDQ_GRID; c++) {
      const col = cols[c]!
      sums[c] = Math.fround(sums[c]! + input[inBase + col]!) - input[leftBase + col]!
    }
    emit(oi, count)
  }
  for (let k = 0; k < p4; k++, li++, oi++) {
    const leftBase = li * width
    for (let c = 0; c < PDQ_GRID; c++) sums[c] = sums[c]! - input[leftBase + cols[c]!]!
    count--
    emit(oi, count)
  }
}

/** Reusable buffers so that hashing a stream of same-sized images allocates nothing per image. */
export class JaroszScratch {
  private buffer = new Float32Array(0)
  private sums = new Float32Array(0)
  private wanted = new Uint8Array(0)
  readonly grid = new Float32Array(PDQ_GRID * PDQ_GRID)

  /** Scratch of at least `pixels` floats; very large one-off images get a buffer that is not kept. */
  take(pixels: number, width: number): { buffer: Float32Array; sums: Float32Array } {
    const keepLimit = 4_194_304
    let buffer = this.buffer
    if (buffer.length < pixels) {
      buffer = new Float32Array(pixels)
      if (pixels <= keepLimit) this.buffer = buffer
    }
    if (this.sums.length < Math.max(width, PDQ_GRID)) this.sums = new Float32Array(Math.max(width, PDQ_GRID))
    return { buffer, sums: this.sums }
  }

  wantedColumns(width: number, cols: Int32Array): Uint8Array {
    if (this.wanted.length !== width) this.wanted = new Uint8Array(width)
    else this.wanted.fill(0)
    for (const c of cols) this.wanted[c] = 1
    return this.wanted
  }
}

/**
 * Two rounds of [rows, columns] box filtering followed by decimation to 64×64. `luma` may be
 * overwritten (it is the reference's buffer1); the 64×64 result is returned in `scratch.grid`. The
 * filters run in WebAssembly (pdq-simd.ts) when it is in use, with the same bits; the WebAssembly
 * version filters every column in its last pass, as the TypeScript passes below need not.
 */
export function jaroszFilterAndDecimate(
  luma: Float32Array,
  height: number,
  width: number,
  scratch: JaroszScratch,
): Float32Array {
  const rowWindow = boxWindow(width)
  const colWindow = boxWindow(height)
  const rows = sampleIndices(height)
  const cols = sampleIndices(width)
  const filtered = wasmFilter(luma, height, width, rowWindow, colWindow)
  if (filtered) {
    const grid = scratch.grid
    for (let i = 0; i < PDQ_GRID; i++) {
      const rowBase = rows[i]! * width
      for (let j = 0; j < PDQ_GRID; j++) grid[i * PDQ_GRID + j] = filtered[rowBase + cols[j]!]!
    }
    return grid
  }
  const { buffer, sums } = scratch.take(height * width, width)
  boxAlongRows(luma, buffer, height, width, rowWindow, null)
  boxAlongColumns(buffer, luma, height, width, colWindow, sums)
  boxAlongRows(luma, buffer, height, width, rowWindow, scratch.wantedColumns(width, cols))
  lastColumnPassAndDecimate(buffer, height, width, colWindow, rows, cols, sums, scratch.grid)
  return scratch.grid
}
