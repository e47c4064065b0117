// The Jarosz box filters in WebAssembly SIMD (box-simd.wat), with the pure TypeScript filters of
// jarosz.ts as the fallback. Both give bit-identical results (box-simd.test.ts); the WebAssembly
// version is about 4× faster because V8 neither vectorises the TypeScript loops nor keeps their
// float32 values in float32 registers (every Math.fround is a double→float→double round trip).
import { BOX_SIMD_WASM } from './box-simd-wasm.js'

// Node's bundled types (lib ES2023, no DOM) do not declare WebAssembly; this is the part used here.
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface BoxExports {
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
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: unknown }
}

/** Larger images take the TypeScript path, so that a one-off huge image does not pin its memory. */
export const WASM_MAX_PIXELS = 4_194_304
const PAGE = 65536

function instantiate(): BoxExports | null {
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
  if (!api) return null
  try {
    const module = new api.Module(Buffer.from(BOX_SIMD_WASM, 'base64'))
    return new api.Instance(module, {}).exports as BoxExports
  } catch {
    // A runtime without SIMD rejects the module at validation; the TypeScript filters still work.
    return null
  }
}

const box = instantiate()
let enabled = box !== null && process.env.FOOTPRINT_PDQ_WASM !== '0'

/**
 * Chooses the filters: true for WebAssembly where the runtime supports it, false for TypeScript.
 * Returns whether WebAssembly is now in use. For tests and for ruling the WebAssembly path out.
 */
export function useWasmFilters(on: boolean): boolean {
  enabled = on && box !== null
  return enabled
}

interface Layout {
  width: number
  height: number
  luma: Float32Array
  buffer: Float32Array
  /** Byte offsets of the regions in the module's memory. */
  at: { luma: number; buffer: number; t: number; u: number; sums: number }
}

let layout: Layout | null = null

const align = (bytes: number): number => (bytes + 15) & ~15

/**
 * Lays out luminance, the filter buffer, two 4-row strips and the column sums in the module's memory,
 * growing it if needed. Growing detaches earlier views, so it happens only here, before the luminance
 * is written; the same size again returns the same views.
 */
function place(width: number, height: number): Layout | null {
  if (!box || !enabled || width * height > WASM_MAX_PIXELS) return null
  if (layout && layout.width === width && layout.height === height && layout.luma.length > 0) return layout
  const n = width * height
  const at = { luma: 0, buffer: align(n * 4), t: 0, u: 0, sums: 0 }
  at.t = at.buffer + align(n * 4)
  at.u = at.t + width * 16
  at.sums = at.u + width * 16
  const end = at.sums + align(width * 4)
  const have = box.memory.buffer.byteLength
  if (end > have) box.memory.grow(Math.ceil((end - have) / PAGE))
  const memory = box.memory.buffer
  layout = {
    width,
    height,
    luma: new Float32Array(memory, at.luma, n),
    buffer: new Float32Array(memory, at.buffer, n),
    at,
  }
  return layout
}

/** A luminance buffer inside the module's memory, so that filtering needs no copy; null if not in use. */
export function wasmLumaBuffer(width: number, height: number): Float32Array | null {
  return place(width, height)?.luma ?? null
}

/**
 * The first three of the four filter passes (rows, columns, rows), as jarosz.ts's TypeScript passes
 * do them; returns the buffer holding the third pass's output, or null when WebAssembly is not in use.
 * `luma` is copied in unless it already is the module's luminance buffer.
 */
export function wasmFilterPasses(
  luma: Float32Array,
  height: number,
  width: number,
  rowWindow: number,
  colWindow: number,
): Float32Array | null {
  const placed = place(width, height)
  if (!placed || !box) return null
  const { at } = placed
  if (luma.buffer !== placed.luma.buffer || luma.byteOffset !== at.luma) {
    placed.luma.set(luma.subarray(0, width * height))
  }
  box.rows(at.luma, at.buffer, height, width, rowWindow, at.t, at.u)
  box.cols(at.buffer, at.luma, height, width, colWindow, at.sums)
  box.rows(at.luma, at.buffer, height, width, rowWindow, at.t, at.u)
  return placed.buffer
}
