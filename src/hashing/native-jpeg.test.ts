// The native libjpeg decoder against sharp: same pixels on every fixture JPEG it accepts, the buffer
// it reuses, its refusals, worker threads, and switching it off.
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, relative } from 'node:path'
import { Worker } from 'node:worker_threads'
import sharp from 'sharp'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { type DecodedImage, decodeImage } from './decode.js'
import { readJpegFrame } from './jpeg-header.js'
import {
  decodeJpegNatively,
  MAX_NATIVE_SCANS,
  nativeJpegDecodes,
  nativeJpegStatus,
  releaseNativePixels,
  useNativeJpeg,
} from './native-jpeg.js'
import { pdqFromImageBytes } from './pdq-image.js'

const root = join(import.meta.dirname, '../..')
const status = nativeJpegStatus()
const skipped = status.available ? '' : ` (skipped: ${status.problem}; sharp decodes every image)`

function compilerAndHeaders(): boolean {
  if (!existsSync('/usr/include/jpeglib.h')) return false
  try {
    execFileSync('cc', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}

function jpegsUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => /\.jpe?g$/i.test(name))
    .map((name) => join(dir, name))
    .sort()
}

const fixtures = [
  ...jpegsUnder(join(root, 'test/fixtures/pdq/images')),
  ...jpegsUnder(join(root, 'test/fixtures/jpeg')),
]

/** Frames decode.ts hands to the native decoder: baseline, extended, progressive; 8-bit; 1 or 3 components. */
function isPlain(bytes: Uint8Array): boolean {
  const frame = readJpegFrame(bytes)
  return (
    frame !== null &&
    [0xc0, 0xc1, 0xc2].includes(frame.marker) &&
    frame.precision === 8 &&
    (frame.components === 1 || frame.components === 3)
  )
}

async function decodeWith(native: boolean, bytes: Buffer): Promise<{ image: DecodedImage; native: boolean }> {
  useNativeJpeg(native)
  const before = nativeJpegDecodes()
  const image = await decodeImage(bytes)
  return { image, native: nativeJpegDecodes() > before }
}

function expectSamePixels(a: DecodedImage, b: DecodedImage): void {
  expect({ ...a.pixels, data: null }).toEqual({ ...b.pixels, data: null })
  expect(Buffer.from(a.pixels.data).equals(Buffer.from(b.pixels.data))).toBe(true)
  expect([a.format, a.notes]).toEqual([b.format, b.notes])
}

/** A small colour JPEG from sharp. */
async function jpeg(width: number, height: number, options: sharp.JpegOptions = {}): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3)
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 31 + ((i / width) | 0) * 7) % 251
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .jpeg(options)
    .toBuffer()
}

afterEach(() => {
  useNativeJpeg(true)
})

it('is built wherever a C compiler and libjpeg headers are present', () => {
  if (!compilerAndHeaders()) return
  expect(status).toMatchObject({ available: true, problem: null })
  expect(status.library).toMatch(/^libjpeg/)
})

describe(`native JPEG decoder${skipped}`, { skip: !status.available }, () => {
  it('finds the fixture JPEGs', () => {
    expect(fixtures.length).toBeGreaterThanOrEqual(40)
  })

  it.each(fixtures.map((file) => [relative(root, file), file]))(
    'decodes %s to exactly sharp’s pixels, or leaves it to sharp',
    async (_name, file) => {
      const bytes = readFileSync(file)
      const viaSharp = await decodeWith(false, bytes)
      const viaNative = await decodeWith(true, bytes)
      expect(viaSharp.native).toBe(false)
      // Every plain fixture is clean (no libjpeg warning), so the native path must take all of them.
      expect(viaNative.native).toBe(isPlain(bytes))
      expectSamePixels(viaNative.image, viaSharp.image)
    },
  )

  it('leaves CMYK and arithmetic-coded JPEGs to sharp', () => {
    expect(isPlain(readFileSync(join(root, 'test/fixtures/pdq/images/misc-images/modes/CMYK.jpg')))).toBe(
      false,
    )
    expect(isPlain(readFileSync(join(root, 'test/fixtures/jpeg/arithmetic.jpg')))).toBe(false)
  })

  it('gives grey JPEGs as three equal channels, as sharp does', async () => {
    const bytes = readFileSync(join(root, 'test/fixtures/jpeg/grey-progressive.jpg'))
    expect(readJpegFrame(bytes)?.components).toBe(1)
    const { image, native } = await decodeWith(true, bytes)
    expect(native).toBe(true)
    expect(image.pixels.channels).toBe(3)
    const data = image.pixels.data
    for (let i = 0; i < data.length; i += 3) {
      if (data[i] !== data[i + 1] || data[i] !== data[i + 2]) throw new Error(`pixel ${i / 3} is not grey`)
    }
  })

  it('reuses one buffer per thread while it is handed back, and never hands out a lent one', async () => {
    const bytes = await jpeg(40, 30)
    const first = await decodeImage(bytes, undefined, { reuseBuffer: true })
    const second = await decodeImage(bytes, undefined, { reuseBuffer: true })
    // The first is still lent: the second gets its own buffer.
    expect(second.pixels.data.buffer).not.toBe(first.pixels.data.buffer)
    expect(Buffer.from(second.pixels.data).equals(Buffer.from(first.pixels.data))).toBe(true)
    expect(releaseNativePixels(second.pixels)).toBe(false)
    expect(releaseNativePixels(first.pixels)).toBe(true)
    const third = await decodeImage(bytes, undefined, { reuseBuffer: true })
    expect(third.pixels.data.buffer).toBe(first.pixels.data.buffer)
    expect(releaseNativePixels(third.pixels)).toBe(true)
    // Without reuseBuffer the pixels are the caller's.
    const owned = await decodeImage(bytes)
    expect(owned.pixels.data.buffer).not.toBe(first.pixels.data.buffer)
    expect(releaseNativePixels(owned.pixels)).toBe(false)
  })

  it('grows the reused buffer for a larger image', async () => {
    const small = decodeJpegNatively(await jpeg(16, 16), 16, 16, 1e9, true)!
    releaseNativePixels(small)
    const large = decodeJpegNatively(await jpeg(300, 200), 300, 200, 1e9, true)!
    expect(large.data.length).toBe(300 * 200 * 3)
    expect(large.data.buffer.byteLength).toBeGreaterThanOrEqual(300 * 200 * 3)
    releaseNativePixels(large)
  })

  it('hashes images in flight together as it hashes them one by one', async () => {
    // Native decodes finish without yielding, so images in flight in one thread interleave between
    // their decode and luminance: the shared buffers must not mix them up.
    const files = await Promise.all([
      jpeg(120, 90),
      jpeg(127, 95, { progressive: true }),
      jpeg(64, 200, { chromaSubsampling: '4:4:4' }),
      Promise.resolve(readFileSync(join(root, 'test/fixtures/jpeg/sampling-422.jpg'))),
    ])
    const one = []
    for (const file of files) one.push(await pdqFromImageBytes(file, { mode: 'reference', dihedral: true }))
    const together = await Promise.all(
      files.map((file) => pdqFromImageBytes(file, { mode: 'reference', dihedral: true })),
    )
    expect(together).toEqual(one)
    expect(new Set(one.map((r) => r.hash)).size).toBe(files.length)
  })

  it('tells the caller how large a buffer it needs, and decodes nothing into a small one', () => {
    const addon = createRequire(import.meta.url)(
      join(root, 'native/jpeg/build/Release/footprint_jpeg.node'),
    ) as { decodeInto(jpeg: Uint8Array, out: Uint8Array, maxPixels: number, maxScans: number): unknown }
    return jpeg(33, 17).then((bytes) => {
      const out = new Uint8Array(33 * 17 * 3 - 1)
      expect(addon.decodeInto(bytes, out, 1e9, 64)).toBe(33 * 17 * 3)
      expect(out.every((v) => v === 0)).toBe(true)
      expect(addon.decodeInto(bytes, new Uint8Array(33 * 17 * 3), 1e9, 64)).toEqual({
        width: 33,
        height: 17,
        channels: 3,
      })
      // Pixel cap, scan cap, wrong arguments: declined, never thrown.
      expect(addon.decodeInto(bytes, out, 33 * 17 - 1, 64)).toBe('too-large')
      expect(addon.decodeInto(bytes, out, 1e9, 0)).toBe('scans')
      expect(addon.decodeInto(bytes, out, Number.NaN, 64)).toBe('arguments')
      expect(addon.decodeInto(bytes, [1, 2, 3] as unknown as Uint8Array, 1e9, 64)).toBe('arguments')
      expect(addon.decodeInto(new Uint16Array(8) as unknown as Uint8Array, out, 1e9, 64)).toBe('arguments')
    })
  })

  it(`leaves progressive files with more than ${MAX_NATIVE_SCANS} scans to sharp`, async () => {
    const progressive = await jpeg(48, 32, { progressive: true })
    const scans = (bytes: Uint8Array): number =>
      bytes.reduce((n, byte, i) => n + (byte === 0xff && bytes[i + 1] === 0xda ? 1 : 0), 0)
    expect(scans(progressive)).toBeGreaterThan(1)
    // SOS markers are counted in the bytes, so FF DA pairs in a comment count too (erring towards sharp).
    const comment = (pairs: number): Buffer => {
      const payload = Buffer.alloc(pairs * 2)
      for (let i = 0; i < payload.length; i += 2) payload.set([0xff, 0xda], i)
      const header = Buffer.from([0xff, 0xfe, (payload.length + 2) >> 8, (payload.length + 2) & 0xff])
      return Buffer.concat([header, payload])
    }
    const withPairs = (pairs: number): Buffer =>
      Buffer.concat([progressive.subarray(0, 2), comment(pairs), progressive.subarray(2)])
    const atCap = withPairs(MAX_NATIVE_SCANS - scans(progressive))
    const overCap = withPairs(MAX_NATIVE_SCANS - scans(progressive) + 1)
    expect(scans(overCap)).toBe(MAX_NATIVE_SCANS + 1)
    const reference = (await decodeWith(false, progressive)).image
    for (const [bytes, native] of [
      [atCap, true],
      [overCap, false],
    ] as const) {
      const result = await decodeWith(true, bytes)
      expect(result.native).toBe(native)
      expectSamePixels(result.image, reference)
    }
  })

  it('is not used when switched off', async () => {
    const bytes = await jpeg(40, 30)
    expect(useNativeJpeg(false)).toBe(false)
    expect(nativeJpegStatus()).toMatchObject({ available: true, enabled: false })
    expect(decodeJpegNatively(bytes, 40, 30, 1e9, false)).toBeNull()
    expect((await decodeWith(false, bytes)).native).toBe(false)
    expect(useNativeJpeg(true)).toBe(true)
    expect((await decodeWith(true, bytes)).native).toBe(true)
  })

  it('is switched off at start-up by FOOTPRINT_NATIVE_JPEG=0', async () => {
    vi.resetModules()
    vi.stubEnv('FOOTPRINT_NATIVE_JPEG', '0')
    try {
      const fresh = await import('./native-jpeg.js')
      const freshDecode = await import('./decode.js')
      expect(fresh.nativeJpegStatus()).toMatchObject({ available: true, enabled: false })
      await freshDecode.decodeImage(await jpeg(40, 30))
      expect(fresh.nativeJpegDecodes()).toBe(0)
    } finally {
      vi.unstubAllEnvs()
      vi.resetModules()
    }
  })

  it('loads and decodes in worker threads, two at once', async () => {
    const bytes = await jpeg(50, 40, { progressive: true })
    const expected = (await decodeWith(false, bytes)).image.pixels.data
    const source = `const { parentPort, workerData } = require('node:worker_threads')
const addon = require(workerData.addon)
const out = new Uint8Array(50 * 40 * 3)
parentPort.postMessage({ result: addon.decodeInto(workerData.bytes, out, 1e9, 64), out })`
    const run = (): Promise<{ result: unknown; out: Uint8Array }> =>
      new Promise((resolve, reject) => {
        const worker = new Worker(source, {
          eval: true,
          workerData: { addon: join(root, 'native/jpeg/build/Release/footprint_jpeg.node'), bytes },
        })
        worker.once('message', (message: { result: unknown; out: Uint8Array }) => {
          resolve(message)
          void worker.terminate()
        })
        worker.once('error', reject)
      })
    for (const { result, out } of await Promise.all([run(), run()])) {
      expect(result).toEqual({ width: 50, height: 40, channels: 3 })
      expect(Buffer.from(out).equals(Buffer.from(expected))).toBe(true)
    }
  })
})
