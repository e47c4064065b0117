import { readFileSync, writeFileSync } from 'node:fs'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import wabtInit from 'wabt'
import { useWasmFilters } from './box-simd.js'
import { BOX_SIMD_WASM } from './box-simd-wasm.js'
import { JaroszScratch, jaroszFilterAndDecimate } from './jarosz.js'
import { pdqFromLuma } from './pdq.js'

const here = (name: string): URL => new URL(name, import.meta.url)

/** The bytes wabt assembles from box-simd.wat now. */
async function assembled(): Promise<string> {
  const wabt = await wabtInit()
  const module = wabt.parseWat('box-simd.wat', readFileSync(here('box-simd.wat'), 'utf8'), {
    simd: true,
    bulk_memory: true,
  })
  module.validate()
  const base64 = Buffer.from(module.toBinary({}).buffer).toString('base64')
  module.destroy()
  return base64
}

describe('the WebAssembly box filters', () => {
  afterEach(() => {
    useWasmFilters(true)
  })

  // The module is committed as base64 in box-simd-wasm.ts, so that neither the tests (which run the
  // sources) nor the build need wabt; this keeps it from drifting from its source.
  it('are the assembly of box-simd.wat', async () => {
    const bytes = await assembled()
    if (process.env.UPDATE_WASM === '1') {
      const header =
        '// Generated from box-simd.wat by wabt 1.0.39: `UPDATE_WASM=1 npx vitest run src/hashing/box-simd.test.ts`.'
      writeFileSync(here('box-simd-wasm.ts'), `${header}\nexport const BOX_SIMD_WASM =\n  '${bytes}'\n`)
    } else {
      expect(
        BOX_SIMD_WASM,
        'box-simd.wat changed: run UPDATE_WASM=1 npx vitest run src/hashing/box-simd.test.ts',
      ).toBe(bytes)
    }
  })

  it('load in this runtime', () => {
    expect(useWasmFilters(true)).toBe(true)
  })

  it('give the TypeScript filters’ 64×64 grid bit for bit on random images', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 700 }),
        fc.integer({ min: 5, max: 700 }),
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.boolean(),
        (height, width, seed, grey) => {
          const luma = randomLuma(height, width, seed, grey)
          useWasmFilters(false)
          const ts = Array.from(
            jaroszFilterAndDecimate(Float32Array.from(luma), height, width, new JaroszScratch()),
          )
          useWasmFilters(true)
          const wasm = Array.from(
            jaroszFilterAndDecimate(Float32Array.from(luma), height, width, new JaroszScratch()),
          )
          expect(wasm).toEqual(ts)
          const fromWasm = pdqFromLuma(Float32Array.from(luma), height, width, { dihedral: true })
          useWasmFilters(false)
          expect(fromWasm).toEqual(pdqFromLuma(Float32Array.from(luma), height, width, { dihedral: true }))
        },
      ),
      { numRuns: 60 },
    )
  })
})

/** Luminance like real images: float32 RGB-formula values or grey integers, with smooth and noisy parts. */
function randomLuma(height: number, width: number, seed: number, grey: boolean): Float32Array {
  const f = Math.fround
  const out = new Float32Array(height * width)
  let x = seed >>> 0 || 1
  const next = (): number => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x >>> 0
  }
  for (let i = 0; i < out.length; i++) {
    const [r, g, b] = [next() & 255, next() & 255, next() & 255]
    const smooth = ((i % width) + Math.floor(i / width)) & 255
    const pick = next() % 4 === 0 ? r : smooth
    out[i] = grey ? pick : f(f(f(f(0.299) * pick) + f(f(0.587) * g)) + f(f(0.114) * b))
  }
  return out
}
