// Luminance, the Jarosz box filters and the DCT in WebAssembly SIMD (pdq-simd.wat), with the pure
// TypeScript of luma.ts, jarosz.ts and dct.ts as the fallback. Both give bit-identical results
// (pdq-simd.test.ts, and the reference fixtures through both); the WebAssembly is 3–4× faster per
// stage because V8 neither vectorises the TypeScript loops nor keeps float32 values in float32
// registers (replacing the filters' divisions by exact multiplications did not help measurably).
import { PDQ_SIMD_WASM } from './pdq-simd-wasm.js'

// Node's bundled types (lib ES2023, no DOM) do not declare WebAssembly; this is the part used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface PdqExports {
  memory: WasmMemory
  rows(
    input: number,
    output: number,
    height: number,
    width: number,
    window: number,
    t: number,
    u: number,
  ): void
  cols(input: number, output: number, height: number, width: number, window: number, sums: number): void
  luma(
    pixels: number,
    rowBytes: number,
    xs: number,
    width: number,
    height: number,
    output: number,
    grey: number,
    cR: number,
    cG: number,
    cB: number,
  ): void
  dct(grid: number, d: number, dt: number, t: number, out: number): void
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
}

/**
 * Images with more pixels than this (after the 512×512 resize), or with more than 4 bytes of decoded
 * rows to copy per such pixel (16 MiB), take the TypeScript path: the module's memory never shrinks,
 * so a one-off huge image would pin its size for the life of the thread.
 */
export const WASM_MAX_PIXELS = 4_194_304
const PAGE = 65536

function instantiate(): PdqExports | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
  if (!api) return null
  try {
    const module = new api.Module(Buffer.from(PDQ_SIMD_WASM, 'base64'))
    return new api.Instance(module, {}).exports as PdqExports
  } catch {
    // A runtime without SIMD rejects the module at validation; the TypeScript path still works.
    return null
  }
}

const box = instantiate()
let enabled = box !== null && process.env.FOOTPRINT_PDQ_WASM !== '0'

/**
 * Chooses luminance, filters and DCT: true for WebAssembly where the runtime supports it, false for
 * TypeScript. Returns whether WebAssembly is now in use. For tests and for ruling the WebAssembly path
 * out (as FOOTPRINT_PDQ_WASM=0 does at start-up).
 */
export function useWasm(on: boolean): boolean {
  enabled = on && box !== null
  return enabled
}

interface Layout {
  width: number
  height: number
  pixelBytes: number
  luma: Float32Array
  buffer: Float32Array
  pixels: Uint8Array
  xs: Int32Array
  /** Byte offsets of the regions in the module's memory. */
  at: { luma: number; buffer: number; t: number; u: number; sums: number; xs: number; pixels: number }
}

let layout: Layout | null = null

const align = (bytes: number): number => (bytes + 15) & ~15

// Fixed regions for the DCT at the start of memory (byte offsets); the per-image layout follows.
const DCT_D = 0
const DCT_DT = DCT_D + 16 * 64 * 4
const DCT_T = DCT_DT + 64 * 16 * 4
const DCT_OUT = DCT_T + 16 * 64 * 4
const DCT_GRID = DCT_OUT + 16 * 16 * 4
const IMAGE_START = align(DCT_GRID + 64 * 64 * 4)

/**
 * Lays out luminance, the filter buffer, two 4-row strips, the column sums, the column offsets and
 * room for `pixelBytes` of decoded pixels in the module's memory, growing it if needed. Growing
 * detaches earlier views, so it happens only here, before the luminance is written; the same sizes
 * again return the same views.
 */
function place(width: number, height: number, pixelBytes: number): Layout | null {
  if (!box || !enabled || width * height > WASM_MAX_PIXELS || pixelBytes > WASM_MAX_PIXELS * 4) return null
  const fits = layout && layout.width === width && layout.height === height && layout.pixelBytes >= pixelBytes
  if (fits && layout && layout.luma.length > 0) return layout
  const n = width * height
  const at = { luma: IMAGE_START, buffer: IMAGE_START + align(n * 4), t: 0, u: 0, sums: 0, xs: 0, pixels: 0 }
  at.t = at.buffer + align(n * 4)
  at.u = at.t + width * 16
  at.sums = at.u + width * 16
  at.xs = at.sums + align(width * 4)
  at.pixels = at.xs + align(width * 4)
  // The luminance kernel reads 4 bytes per pixel: slack after the last one.
  const end = at.pixels + align(pixelBytes + 4)
  const have = box.memory.buffer.byteLength
  if (end > have) box.memory.grow(Math.ceil((end - have) / PAGE))
  const memory = box.memory.buffer
  layout = {
    width,
    height,
    pixelBytes,
    luma: new Float32Array(memory, at.luma, n),
    buffer: new Float32Array(memory, at.buffer, n),
    pixels: new Uint8Array(memory, at.pixels, pixelBytes),
    xs: new Int32Array(memory, at.xs, width),
    at,
  }
  return layout
}

/**
 * The four filter passes (rows, columns, rows, columns), as jarosz.ts's TypeScript passes do them;
 * returns the filtered image (in the module's memory, valid until the next image), or null when
 * WebAssembly is not in use. `luma` is copied in unless it already is the module's luminance buffer.
 */
export function wasmFilter(
  luma: Float32Array,
  height: number,
  width: number,
  rowWindow: number,
  colWindow: number,
): Float32Array | null {
  const placed = place(width, height, 0)
  if (!placed || !box) return null
  const { at } = placed
  if (luma.buffer !== placed.luma.buffer || luma.byteOffset !== at.luma) {
    placed.luma.set(luma.subarray(0, width * height))
  }
  for (let round = 0; round < 2; round++) {
    box.rows(at.luma, at.buffer, height, width, rowWindow, at.t, at.u)
    box.cols(at.buffer, at.luma, height, width, colWindow, at.sums)
  }
  return placed.luma
}

let dctMatrixLoaded = false

/**
 * dct.ts's 16×16 DCT in the module (same float32 operations in the same order per output); false
 * when WebAssembly is not in use. `matrix` is D (16×64), loaded into the module on first use.
 */
export function wasmDct(grid: Float32Array, out: Float32Array, matrix: Float32Array): boolean {
  if (!box || !enabled) return false
  const memory = box.memory.buffer
  if (!dctMatrixLoaded) {
    new Float32Array(memory, DCT_D, 16 * 64).set(matrix)
    const transposed = new Float32Array(memory, DCT_DT, 64 * 16)
    for (let i = 0; i < 16; i++) for (let k = 0; k < 64; k++) transposed[k * 16 + i] = matrix[i * 64 + k]!
    dctMatrixLoaded = true
  }
  new Float32Array(memory, DCT_GRID, 64 * 64).set(grid.subarray(0, 64 * 64))
  box.dct(DCT_GRID, DCT_D, DCT_DT, DCT_T, DCT_OUT)
  out.set(new Float32Array(memory, DCT_OUT, 16 * 16))
  return true
}

const R = Math.fround(0.299)
const G = Math.fround(0.587)
const B = Math.fround(0.114)

/**
 * Luminance into the module's luminance buffer (luma.ts's arithmetic, four pixels per vector); null
 * when WebAssembly is not in use. Output pixel (x, y) is the source pixel at byte
 * `rows[y]·rowBytes + sourceX[x]`, or at `y·rowBytes + sourceX[x]` when `rows` is null. The rows are
 * copied into the module's memory first: sharp's buffer cannot be decoded into it.
 */
export function wasmLuma(
  data: Uint8Array,
  rowBytes: number,
  rows: Int32Array | null,
  sourceX: Int32Array,
  height: number,
  grey: boolean,
): Float32Array | null {
  const width = sourceX.length
  if (width < 4) return null
  const placed = place(width, height, rowBytes * height)
  if (!placed || !box) return null
  const { pixels, at } = placed
  if (rows === null) pixels.set(data.subarray(0, rowBytes * height))
  else {
    for (let y = 0; y < height; y++) {
      const from = rows[y]! * rowBytes
      pixels.set(data.subarray(from, from + rowBytes), y * rowBytes)
    }
  }
  placed.xs.set(sourceX)
  box.luma(at.pixels, rowBytes, at.xs, width, height, at.luma, grey ? 1 : 0, R, G, B)
  return placed.luma
}
