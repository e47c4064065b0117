import { readFileSync, writeFileSync } from 'node:fs'
import fc from 'fast-check'
import { afterEach, describe, expect, it } from 'vitest'
import wabtInit from 'wabt'
import { dct16 } from './dct.js'
import { JaroszScratch, jaroszFilterAndDecimate } from './jarosz.js'
import { lumaFromPixels, PDQ_MODES, type Pixels } from './luma.js'
import { pdqFromLuma } from './pdq.js'
import { useWasm } from './pdq-simd.js'
import { PDQ_SIMD_WASM } from './pdq-simd-wasm.js'

const here = (name: string): URL => new URL(name, import.meta.url)

/** The bytes wabt assembles from pdq-simd.wat now. */
async function assembled(): Promise<string> {
  const wabt = await wabtInit()
  const module = wabt.parseWat('pdq-simd.wat', readFileSync(here('pdq-simd.wat'), 'utf8'), {
    simd: true,
    bulk_memory: true,
  })
  module.validate()
  const base64 = Buffer.from(module.toBinary({}).buffer).toString('base64')
  module.destroy()
  return base64
}

describe('the WebAssembly luminance, filters and DCT', () => {
  afterEach(() => {
    useWasm(true)
  })

  // The module is committed as base64 in pdq-simd-wasm.ts, so that neither the build nor the running
  // code needs wabt and the tests run the sources unbuilt; this keeps it from drifting from its source.
  it('are the assembly of pdq-simd.wat', async () => {
    const bytes = await assembled()
    if (process.env.UPDATE_WASM === '1') {
      const header =
        '// Generated from pdq-simd.wat by wabt 1.0.39: `UPDATE_WASM=1 npx vitest run src/hashing/pdq-simd.test.ts`.'
      writeFileSync(here('pdq-simd-wasm.ts'), `${header}\nexport const PDQ_SIMD_WASM =\n  '${bytes}'\n`)
    } else {
      expect(
        PDQ_SIMD_WASM,
        'pdq-simd.wat changed: run UPDATE_WASM=1 npx vitest run src/hashing/pdq-simd.test.ts',
      ).toBe(bytes)
    }
  })

  it('load in this runtime', () => {
    expect(useWasm(true)).toBe(true)
  })

  it('give the TypeScript 64×64 grid, coefficients and hashes bit for bit on random images', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 5, max: 700 }),
        fc.integer({ min: 5, max: 700 }),
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.boolean(),
        (height, width, seed, grey) => {
          const luma = randomLuma(height, width, seed, grey)
          useWasm(false)
          const ts = Array.from(
            jaroszFilterAndDecimate(Float32Array.from(luma), height, width, new JaroszScratch()),
          )
          useWasm(true)
          const wasm = Array.from(
            jaroszFilterAndDecimate(Float32Array.from(luma), height, width, new JaroszScratch()),
          )
          expect(wasm).toEqual(ts)
          const grid = Float32Array.from(ts)
          const coefficients = Array.from(dct16(grid, new Float32Array(256)))
          useWasm(false)
          expect(coefficients).toEqual(Array.from(dct16(grid, new Float32Array(256))))
          useWasm(true)
          const fromWasm = pdqFromLuma(Float32Array.from(luma), height, width, { dihedral: true })
          useWasm(false)
          expect(fromWasm).toEqual(pdqFromLuma(Float32Array.from(luma), height, width, { dihedral: true }))
        },
      ),
      { numRuns: 60 },
    )
  })

  it('give the TypeScript luminance bit for bit, resized or not, colour or grey, 1 to 4 channels', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 900 }),
        fc.integer({ min: 1, max: 900 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 0xffffffff }),
        fc.boolean(),
        fc.constantFrom(...PDQ_MODES),
        (height, width, channels, seed, grey, mode) => {
          const pixels = randomPixels(height, width, channels, seed, grey)
          useWasm(false)
          const ts = lumaFromPixels(pixels, mode)
          const expected = { ...ts, luma: Array.from(ts.luma.subarray(0, ts.width * ts.height)) }
          useWasm(true)
          const wasm = lumaFromPixels(pixels, mode)
          expect({ ...wasm, luma: Array.from(wasm.luma.subarray(0, wasm.width * wasm.height)) }).toEqual(
            expected,
          )
        },
      ),
      { numRuns: 60 },
    )
  })
})

describe('images too large for the WebAssembly memory', () => {
  it('take the TypeScript path and give the same luminance and hash', () => {
    // 512 sampled rows of 40,000 RGB pixels: 61 MB of pixels to copy, over the limit.
    const pixels = randomPixels(6, 40_000, 3, 7, false)
    useWasm(false)
    const ts = lumaFromPixels(pixels, 'reference')
    const expected = Array.from(ts.luma.subarray(0, 512 * 512))
    const hash = pdqFromLuma(ts.luma, 512, 512)
    useWasm(true)
    const wasm = lumaFromPixels(pixels, 'reference')
    expect(Array.from(wasm.luma.subarray(0, 512 * 512))).toEqual(expected)
    expect(pdqFromLuma(wasm.luma, 512, 512)).toEqual(hash)
  })
})

/** Random bytes; `grey` makes R = G = B (alpha stays random) so that the grey path is taken. */
function randomPixels(height: number, width: number, channels: number, seed: number, grey: boolean): Pixels {
  const data = new Uint8Array(height * width * channels)
  let x = seed >>> 0 || 1
  for (let p = 0; p < height * width; p++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    for (let c = 0; c < channels; c++) {
      data[p * channels + c] = grey && c < 3 && channels >= 3 ? x & 255 : (x >>> (8 * c)) & 255
    }
  }
  return { data, width, height, channels }
}

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
