import { describe, expect, it } from 'vitest'
import { DCT_MATRIX, dct16 } from './dct.js'
import { boxWindow, JaroszScratch, jaroszFilterAndDecimate } from './jarosz.js'
import { coefficientsToHex, pdqDistance, pdqFromLuma, pdqQuality, ZERO_PDQ } from './pdq.js'

const f = Math.fround

/** pdq.md §1.5 written the plain way: one column at a time with a stride, fresh buffers. */
function naiveBox(
  input: Float32Array,
  output: Float32Array,
  start: number,
  n: number,
  stride: number,
  w: number,
) {
  const half = Math.floor((w + 2) / 2)
  let sum = 0
  let cnt = 0
  let li = 0
  let ri = 0
  let oi = 0
  for (let k = 0; k < half - 1; k++, ri++, cnt++) sum = f(sum + input[start + ri * stride]!)
  for (let k = 0; k < w - half + 1; k++, ri++, oi++) {
    sum = f(sum + input[start + ri * stride]!)
    cnt++
    output[start + oi * stride] = f(sum / cnt)
  }
  for (let k = 0; k < n - w; k++, ri++, li++, oi++) {
    sum = f(sum + input[start + ri * stride]!)
    sum = f(sum - input[start + li * stride]!)
    output[start + oi * stride] = f(sum / cnt)
  }
  for (let k = 0; k < half - 1; k++, li++, oi++) {
    sum = f(sum - input[start + li * stride]!)
    cnt--
    output[start + oi * stride] = f(sum / cnt)
  }
}

function naiveGrid(source: Float32Array, h: number, w: number): Float32Array {
  const lum = Float32Array.from(source)
  const tmp = new Float32Array(h * w)
  for (let rep = 0; rep < 2; rep++) {
    for (let i = 0; i < h; i++) naiveBox(lum, tmp, i * w, w, 1, boxWindow(w))
    for (let j = 0; j < w; j++) naiveBox(tmp, lum, j, h, w, boxWindow(h))
  }
  const grid = new Float32Array(4096)
  for (let i = 0; i < 64; i++) {
    for (let j = 0; j < 64; j++)
      grid[i * 64 + j] = lum[Math.floor(((i + 0.5) * h) / 64) * w + Math.floor(((j + 0.5) * w) / 64)]!
  }
  return grid
}

function naiveDct(grid: Float32Array): Float32Array {
  const t = new Float32Array(16 * 64)
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 64; j++) {
      let s = 0
      for (let k = 0; k < 64; k++) s = f(s + f(DCT_MATRIX[i * 64 + k]! * grid[k * 64 + j]!))
      t[i * 64 + j] = s
    }
  }
  const b = new Float32Array(256)
  for (let i = 0; i < 16; i++) {
    for (let j = 0; j < 16; j++) {
      let s = 0
      for (let k = 0; k < 64; k++) s = f(s + f(t[i * 64 + k]! * DCT_MATRIX[j * 64 + k]!))
      b[i * 16 + j] = s
    }
  }
  return b
}

/** Deterministic pseudo-random luminance in 0..255 with float32 fractions, like real luma. */
function randomLuma(h: number, w: number, seed: number): Float32Array {
  const out = new Float32Array(h * w)
  let x = seed >>> 0 || 1
  for (let i = 0; i < out.length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    const smooth = ((i % w) + Math.floor(i / w)) % 256
    out[i] = f(f(smooth * 0.7) + f(((x >>> 0) % 7700) / 100))
  }
  return out
}

describe('optimised filter and DCT against the plain spec', () => {
  it.each([
    [64, 64],
    [5, 5],
    [7, 300],
    [300, 7],
    [200, 300],
    [129, 257],
    [512, 512],
    [1001, 130],
  ])('%i×%i gives the same 64×64 grid and coefficients bit for bit', (h, w) => {
    const luma = randomLuma(h, w, h * 7919 + w)
    const expected = naiveGrid(luma, h, w)
    const got = jaroszFilterAndDecimate(Float32Array.from(luma), h, w, new JaroszScratch())
    expect(Array.from(got)).toEqual(Array.from(expected))
    expect(Array.from(dct16(got, new Float32Array(256)))).toEqual(Array.from(naiveDct(expected)))
  })

  it('reuses scratch buffers across differently sized images without leaking state', () => {
    const scratch = new JaroszScratch()
    jaroszFilterAndDecimate(randomLuma(400, 300, 1), 400, 300, scratch)
    const luma = randomLuma(90, 120, 2)
    const got = Array.from(jaroszFilterAndDecimate(Float32Array.from(luma), 90, 120, scratch))
    expect(got).toEqual(Array.from(naiveGrid(luma, 90, 120)))
  })
})

describe('pdqFromLuma', () => {
  it('gives the zero hash and quality 0 below 5 pixels on a side', () => {
    expect(pdqFromLuma(randomLuma(4, 100, 3), 4, 100)).toEqual({ hash: ZERO_PDQ, quality: 0 })
    const tiny = pdqFromLuma(randomLuma(100, 4, 3), 100, 4, { dihedral: true })
    expect(tiny.dihedral).toEqual(Array(8).fill(ZERO_PDQ))
  })

  it('sets half the bits on a textured image and reports the original first among the dihedral hashes', () => {
    const result = pdqFromLuma(randomLuma(200, 300, 9), 200, 300, { dihedral: true })
    expect(pdqDistance(result.hash, ZERO_PDQ)).toBe(128)
    expect(result.dihedral?.[0]).toBe(result.hash)
    expect(new Set(result.dihedral).size).toBe(8)
  })

  it('scores a flat image as quality 0', () => {
    expect(pdqQuality(new Float32Array(4096).fill(128))).toBe(0)
  })
})

describe('hash layout', () => {
  it('puts row 15 first and bit j of each row word at column j', () => {
    const ramp = Float32Array.from({ length: 256 }, (_, k) => k)
    // median = 127, so bits 128..255 (rows 8..15) are set.
    expect(coefficientsToHex(ramp)).toBe(`${'ffff'.repeat(8)}${'0000'.repeat(8)}`)
    const single = new Float32Array(256).fill(-1)
    single[16 * 0 + 1] = 5 // row 0, column 1 → last word 0x0002
    expect(coefficientsToHex(single).slice(-4)).toBe('0002')
  })

  it('counts differing bits', () => {
    expect(pdqDistance(ZERO_PDQ, `${'f'.repeat(63)}7`)).toBe(255)
    expect(() => pdqDistance(ZERO_PDQ, 'xyz')).toThrow()
  })
})
