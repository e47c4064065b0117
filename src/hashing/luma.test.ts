import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { isAllGrey, lumaFromPixels, type Pixels, targetSize } from './luma.js'

const f = Math.fround
const rgbLuma = (r: number, g: number, b: number): number =>
  f(f(f(f(0.299) * r) + f(f(0.587) * g)) + f(f(0.114) * b))

function image(
  width: number,
  height: number,
  channels: number,
  pixel: (x: number, y: number) => number[],
): Pixels {
  const data = new Uint8Array(width * height * channels)
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) data.set(pixel(x, y), (y * width + x) * channels)
  }
  return { data, width, height, channels }
}

describe('luminance', () => {
  it('uses the float32 RGB formula in evaluation order for colour images', () => {
    const px = image(3, 1, 3, (x) => [10 + x, 200 - x, 77 * x])
    const { luma, grey } = lumaFromPixels(px, 'full')
    expect(grey).toBe(false)
    expect(Array.from(luma.subarray(0, 3))).toEqual([0, 1, 2].map((x) => rgbLuma(10 + x, 200 - x, 77 * x)))
  })

  it('uses the grey value exactly when every pixel has R = G = B, where the formula would be off by an ulp', () => {
    const level = Array.from({ length: 256 }, (_, g) => g).find((g) => rgbLuma(g, g, g) !== g)!
    expect(level).toBeDefined()
    const px = image(2, 2, 3, () => [level, level, level])
    expect(isAllGrey(px)).toBe(true)
    expect(lumaFromPixels(px, 'full').luma[0]).toBe(level)
  })

  it('ignores alpha rather than compositing it', () => {
    const rgba = image(2, 1, 4, () => [30, 60, 90, 0])
    expect(lumaFromPixels(rgba, 'full').luma[0]).toBe(rgbLuma(30, 60, 90))
  })
})

describe('reference-mode resize', () => {
  it('squashes anything over 512 px to exactly 512×512 and leaves smaller images alone', () => {
    expect(targetSize(1600, 1004, 'reference')).toEqual({ width: 512, height: 512 })
    expect(targetSize(513, 20, 'reference')).toEqual({ width: 512, height: 512 })
    expect(targetSize(512, 300, 'reference')).toEqual({ width: 512, height: 300 })
    expect(targetSize(1600, 1004, 'full')).toEqual({ width: 1600, height: 1004 })
  })

  it('samples source pixel floor(x·W/512), floor(y·H/512)', () => {
    const px = image(1000, 700, 1, (x, y) => [(x * 7 + y * 3) % 256])
    const { luma, width, height } = lumaFromPixels(px, 'reference')
    expect([width, height]).toEqual([512, 512])
    for (const [x, y] of [
      [0, 0],
      [511, 511],
      [257, 100],
      [3, 400],
    ] as const) {
      const sx = Math.floor((x * 1000) / 512)
      const sy = Math.floor((y * 700) / 512)
      expect(luma[y * 512 + x]).toBe((sx * 7 + sy * 3) % 256)
    }
  })
})

describe('isAllGrey', () => {
  // The word-at-a-time scan against the plain per-pixel rule, with one differing byte anywhere (or none),
  // at every alignment of the buffer and for 3 and 4 channels.
  it('agrees with the per-pixel rule', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 9 }),
        fc.constantFrom(3, 4),
        fc.integer({ min: 0, max: 3 }),
        fc.option(fc.nat(), { nil: undefined }),
        fc.integer({ min: 1, max: 255 }),
        (width, height, channels, offset, at, delta) => {
          const backing = new Uint8Array(offset + width * height * channels)
          const data = backing.subarray(offset)
          for (let p = 0; p < width * height; p++) data.fill((p * 37) & 255, p * channels, p * channels + 3)
          if (at !== undefined) {
            const i = at % data.length
            data[i] = (data[i]! + delta) & 255
          }
          let plain = true
          for (let i = 0; i < data.length; i += channels) {
            if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) plain = false
          }
          expect(isAllGrey({ data, width, height, channels })).toBe(plain)
        },
      ),
      { numRuns: 500 },
    )
  })
})
