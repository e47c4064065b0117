// Properties of the native libjpeg decoder against sharp on random JPEGs: identical pixels for what it
// decodes, and identical results or errors from decodeImage for truncated, corrupt and foreign bytes.
import fc from 'fast-check'
import sharp from 'sharp'
import { afterEach, describe, expect, it } from 'vitest'
import { type DecodedImage, DecodeError, decodeImage } from './decode.js'
import { readJpegFrame } from './jpeg-header.js'
import { decodeJpegNatively, nativeJpegDecodes, nativeJpegStatus, useNativeJpeg } from './native-jpeg.js'

const status = nativeJpegStatus()
const skipped = status.available ? '' : ` (skipped: ${status.problem}; sharp decodes every image)`

interface Picture {
  width: number
  height: number
  channels: 1 | 3
  noise: boolean
  seed: number
}

interface Encoding {
  quality: number
  chromaSubsampling: '4:4:4' | '4:2:0'
  progressive: boolean
  optimiseCoding: boolean
}

const picture = fc.record<Picture>({
  // Tiny and odd sizes on purpose: partial MCUs and chroma edges are where upsamplers differ.
  width: fc.oneof(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 260 })),
  height: fc.oneof(fc.integer({ min: 1, max: 17 }), fc.integer({ min: 1, max: 260 })),
  channels: fc.constantFrom(1, 3),
  noise: fc.boolean(),
  seed: fc.integer({ min: 1, max: 0x7fffffff }),
})

/** A uniform fraction in [0, 1) (fast-check's doubles favour 0 and other extremes). */
const fraction = fc.integer({ min: 0, max: 0xffff }).map((n) => n / 0x10000)

const encoding = fc.record<Encoding>({
  quality: fc.integer({ min: 1, max: 100 }),
  // sharp (libvips) writes only these two; 4:2:2, 4:4:0, 4:1:1 and 3:1:1 are fixtures (test/fixtures/jpeg).
  chromaSubsampling: fc.constantFrom('4:4:4', '4:2:0'),
  progressive: fc.boolean(),
  optimiseCoding: fc.boolean(),
})

function paint({ width, height, channels, noise, seed }: Picture): Buffer {
  let x = seed
  const next = (): number => {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    return x >>> 0
  }
  const raw = Buffer.alloc(width * height * channels)
  for (let y = 0; y < height; y++) {
    for (let i = 0; i < width * channels; i++) {
      const gradient = ((i * 255) / Math.max(1, width * channels - 1) + y * 3 + (seed % 97)) & 255
      raw[y * width * channels + i] = noise ? next() & 255 : gradient
    }
  }
  return raw
}

async function encode(p: Picture, e: Encoding): Promise<Buffer> {
  const image = sharp(paint(p), { raw: { width: p.width, height: p.height, channels: p.channels } })
  // sharp writes one-channel input as three components unless told the output is grey.
  return (p.channels === 1 ? image.toColourspace('b-w') : image).jpeg(e).toBuffer()
}

async function viaSharp(bytes: Buffer): Promise<DecodedImage> {
  useNativeJpeg(false)
  try {
    return await decodeImage(bytes)
  } finally {
    useNativeJpeg(true)
  }
}

type Outcome = { ok: DecodedImage; native: boolean } | { error: { reason: string; message: string } }

async function outcome(bytes: Buffer, native: boolean): Promise<Outcome> {
  useNativeJpeg(native)
  const before = nativeJpegDecodes()
  try {
    const ok = await decodeImage(bytes)
    return { ok, native: nativeJpegDecodes() > before }
  } catch (error) {
    if (!(error instanceof DecodeError)) throw error
    return { error: { reason: error.reason, message: error.message } }
  } finally {
    useNativeJpeg(true)
  }
}

/** decodeImage gives the same with the native decoder as with sharp alone: pixels, or error and message. */
async function expectSameOutcome(bytes: Buffer): Promise<void> {
  const [native, plain] = [await outcome(bytes, true), await outcome(bytes, false)]
  if ('error' in plain) {
    expect(native).toEqual(plain)
    return
  }
  if (!('ok' in native)) throw new Error(`native path failed where sharp decoded: ${JSON.stringify(native)}`)
  expect({ ...native.ok.pixels, data: null }).toEqual({ ...plain.ok.pixels, data: null })
  expect(Buffer.from(native.ok.pixels.data).equals(Buffer.from(plain.ok.pixels.data))).toBe(true)
  expect([native.ok.format, native.ok.notes]).toEqual([plain.ok.format, plain.ok.notes])
}

/** Offset of the first entropy-coded byte (after the first SOS header). */
function entropyStart(bytes: Buffer): number {
  for (let i = 2; i + 3 < bytes.length; i++) {
    if (bytes[i] === 0xff && bytes[i + 1] === 0xda) return i + 2 + bytes.readUInt16BE(i + 2)
  }
  throw new Error('no SOS marker')
}

afterEach(() => {
  useNativeJpeg(true)
})

describe(`native JPEG decoder on random JPEGs${skipped}`, { skip: !status.available }, () => {
  it('decodes every JPEG sharp writes to exactly sharp’s pixels', async () => {
    let grey = 0
    await fc.assert(
      fc.asyncProperty(picture, encoding, async (p, e) => {
        const bytes = await encode(p, e)
        const frame = readJpegFrame(bytes)!
        expect(frame.components).toBe(p.channels)
        if (p.channels === 1) grey++
        const native = decodeJpegNatively(bytes, frame.width, frame.height, 1e9, false)
        const reference = await viaSharp(bytes)
        expect(native).not.toBeNull()
        expect({ ...native!, data: null }).toEqual({ ...reference.pixels, data: null })
        expect(Buffer.from(native!.data).equals(Buffer.from(reference.pixels.data))).toBe(true)
      }),
      { numRuns: 300 },
    )
    expect(grey).toBeGreaterThan(0)
  })

  it('gives the same result or error as sharp for JPEGs cut short anywhere', async () => {
    await fc.assert(
      fc.asyncProperty(picture, encoding, fraction, async (p, e, at) => {
        const bytes = await encode(p, e)
        // Mostly inside the entropy-coded data, where a cut leaves a decodable but incomplete image.
        const start = entropyStart(bytes)
        await expectSameOutcome(bytes.subarray(0, start + Math.floor(at * (bytes.length - start))))
      }),
      { numRuns: 150 },
    )
  })

  it('gives the same result or error as sharp for JPEGs with bytes changed in the entropy-coded data', async () => {
    await fc.assert(
      fc.asyncProperty(
        picture,
        encoding,
        fc.array(fc.tuple(fraction, fc.integer({ min: 1, max: 255 })), {
          minLength: 1,
          maxLength: 6,
        }),
        async (p, e, flips) => {
          const bytes = Buffer.from(await encode(p, e))
          const start = entropyStart(bytes)
          const span = bytes.length - 2 - start
          if (span <= 0) return
          for (const [where, mask] of flips) bytes[start + Math.floor(where * span)]! ^= mask
          await expectSameOutcome(bytes)
        },
      ),
      { numRuns: 250 },
    )
  })

  it.each([
    ['zero-length', Buffer.alloc(0)],
    ['text', Buffer.from('this is not an image\n')],
    ['a JPEG signature and nothing else', Buffer.from([0xff, 0xd8, 0xff])],
    ['a JPEG signature and garbage', Buffer.concat([Buffer.from([0xff, 0xd8]), Buffer.alloc(300, 0x5a)])],
    [
      'a frame header with no scan',
      Buffer.from([0xff, 0xd8, 0xff, 0xc0, 0, 11, 8, 0, 16, 0, 16, 1, 1, 0x11, 0, 0xff, 0xd9]),
    ],
  ])('gives the same error as sharp for %s', async (_name, bytes) => {
    await expectSameOutcome(bytes)
    expect('error' in (await outcome(bytes, true))).toBe(true)
  })

  it('gives the same result or error as sharp for random bytes after a JPEG signature', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 400 }), async (tail) => {
        await expectSameOutcome(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), tail]))
      }),
      { numRuns: 60 },
    )
  })
})
