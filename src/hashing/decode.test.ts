// Edge-case inputs, all generated here from benign synthetic pixels.
import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { DEFAULT_DECODE_LIMITS, DecodeError, decodeImage } from './decode.js'
import { pdqDistance, ZERO_PDQ } from './pdq.js'
import { pdqFromImageBytes } from './pdq-image.js'

const W = 96
const H = 80

/** Shapes on a gradient: enough structure for a quality well above 50. */
function scene(channels: 3 | 4, seed = 0): Buffer {
  const data = Buffer.alloc(W * H * channels)
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = (y * W + x) * channels
      const inBox = x > 20 + seed && x < 60 && y > 15 && y < 50
      const inBar = (x + y * 2 + seed * 5) % 37 < 6
      data[i] = inBox ? 230 : inBar ? 20 : (x * 2) % 256
      data[i + 1] = inBox ? 40 : (y * 3) % 256
      data[i + 2] = inBar ? 200 : 90
      if (channels === 4) data[i + 3] = x < W / 2 ? 0 : 255
    }
  }
  return data
}

const png = (raw: Buffer, channels: 3 | 4) =>
  sharp(raw, { raw: { width: W, height: H, channels } })
    .png()
    .toBuffer()

describe('decodeImage', () => {
  it('drops alpha: RGBA hashes like the same RGB pixels even where fully transparent', async () => {
    const rgba = scene(4)
    const rgb = Buffer.alloc(W * H * 3)
    for (let p = 0; p < W * H; p++) rgba.copy(rgb, p * 3, p * 4, p * 4 + 3)
    const a = await pdqFromImageBytes(await png(rgba, 4), { mode: 'full' })
    const b = await pdqFromImageBytes(await png(rgb, 3), { mode: 'full' })
    expect(a.hash).toBe(b.hash)
    expect(a.quality).toBeGreaterThan(50)
  })

  it('treats an RGB file whose pixels are all grey like a greyscale file', async () => {
    const raw = scene(3)
    for (let p = 0; p < W * H; p++) raw.fill(raw[p * 3]!, p * 3, p * 3 + 3)
    const colourEncoded = await pdqFromImageBytes(await png(raw, 3), { mode: 'full' })
    const greyEncoded = await pdqFromImageBytes(
      await sharp(raw, { raw: { width: W, height: H, channels: 3 } })
        .greyscale()
        .png()
        .toBuffer(),
      { mode: 'full' },
    )
    expect(colourEncoded.hash).toBe(greyEncoded.hash)
  })

  it('reduces 16-bit samples to their high byte, not the low byte the reference keeps, and says so', async () => {
    const eight = scene(3)
    const sixteen = new Uint16Array(eight.length)
    // The low byte is noise: keeping it, as the reference does, would give an unrelated hash.
    for (let i = 0; i < eight.length; i++) sixteen[i] = eight[i]! * 256 + ((i * 37) % 256)
    const file = await sharp(sixteen, { raw: { width: W, height: H, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toBuffer()
    const deep = await pdqFromImageBytes(file, { mode: 'full' })
    const shallow = await pdqFromImageBytes(await png(eight, 3), { mode: 'full' })
    expect(deep.notes.join()).toMatch(/ushort samples reduced to 8 bits/)
    expect(deep.hash).toBe(shallow.hash)
  })

  it('hashes the first frame of an animated GIF and notes the frame count', async () => {
    const frames = Buffer.concat([scene(3, 0), scene(3, 30)])
    const gif = await sharp(frames, { raw: { width: W, height: H * 2, channels: 3, pageHeight: H } })
      .gif()
      .toBuffer()
    const firstOnly = await sharp(scene(3, 0), { raw: { width: W, height: H, channels: 3 } })
      .gif()
      .toBuffer()
    const animated = await pdqFromImageBytes(gif, { mode: 'full' })
    expect(animated.height).toBe(H)
    expect(animated.notes).toContain('first of 2 frames')
    const single = await pdqFromImageBytes(firstOnly, { mode: 'full' })
    expect(pdqDistance(animated.hash, single.hash)).toBeLessThanOrEqual(10)
  })

  it("converts CMYK with ImageMagick's formula, so without a note", async () => {
    const cmyk = await sharp(scene(3), { raw: { width: W, height: H, channels: 3 } })
      .toColourspace('cmyk')
      .jpeg()
      .toBuffer()
    const decoded = await decodeImage(cmyk)
    expect(decoded.pixels.channels).toBe(3)
    expect(decoded.notes).toEqual([])
  })

  it('decodes plain JPEGs, colour or grey, read from their frame header, to the pixels libvips gives', async () => {
    const colour = await sharp(scene(3), { raw: { width: W, height: H, channels: 3 } })
      .jpeg({ progressive: true })
      .toBuffer()
    const grey = await sharp(scene(3), { raw: { width: W, height: H, channels: 3 } })
      .toColourspace('b-w')
      .jpeg()
      .toBuffer()
    // libvips gives grey JPEGs as three equal channels, as it does grey PNGs (luma.ts handles both).
    for (const file of [colour, grey]) {
      const decoded = await decodeImage(file)
      const plain = await sharp(file).raw().toBuffer({ resolveWithObject: true })
      expect(decoded).toMatchObject({ format: 'jpeg', notes: [] })
      expect(decoded.pixels).toMatchObject({ width: W, height: H, channels: 3 })
      expect(Buffer.from(decoded.pixels.data).equals(plain.data)).toBe(true)
    }
  })

  it('refuses a JPEG over the pixel limit from its frame header, with its size', async () => {
    const jpeg = await sharp(scene(3), { raw: { width: W, height: H, channels: 3 } })
      .jpeg()
      .toBuffer()
    const limits = { ...DEFAULT_DECODE_LIMITS, maxPixels: W * H - 1 }
    await expect(decodeImage(jpeg, limits)).rejects.toMatchObject({
      reason: 'too-large',
      message: `image of ${W}×${H} exceeds the ${W * H - 1} pixel limit`,
    })
  })

  it('gives hash 0 and quality 0 for images under 5 px on a side', async () => {
    const tiny = await sharp(Buffer.alloc(4 * 9 * 3, 120), { raw: { width: 4, height: 9, channels: 3 } })
      .png()
      .toBuffer()
    const result = await pdqFromImageBytes(tiny, { mode: 'reference', dihedral: true })
    expect(result).toMatchObject({ hash: ZERO_PDQ, quality: 0, dihedral: Array(8).fill(ZERO_PDQ) })
  })

  it.each([
    ['empty', Buffer.alloc(0), 'empty'],
    ['text', Buffer.from('this is not an image\n'), 'not-an-image'],
    [
      'SVG',
      Buffer.from(
        '<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64"><rect width="30" height="64"/></svg>',
      ),
      'not-an-image',
    ],
  ] as const)('refuses %s input', async (_name, bytes, reason) => {
    await expect(decodeImage(bytes)).rejects.toMatchObject({ reason })
  })

  it('refuses truncated data', async () => {
    const jpeg = await sharp(scene(3), { raw: { width: W, height: H, channels: 3 } })
      .jpeg()
      .toBuffer()
    const error = await decodeImage(jpeg.subarray(0, Math.floor(jpeg.length * 0.6))).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DecodeError)
    expect((error as DecodeError).reason).toBe('corrupt')
  })

  it('refuses images over the pixel limit before decoding them', async () => {
    const file = await png(scene(3), 3)
    const limits = { ...DEFAULT_DECODE_LIMITS, maxPixels: W * H - 1 }
    await expect(decodeImage(file, limits)).rejects.toMatchObject({ reason: 'too-large' })
    await expect(decodeImage(file, { ...limits, maxPixels: W * H })).resolves.toBeDefined()
  })

  it('refuses files over the byte limit', async () => {
    const file = await png(scene(3), 3)
    const limits = { ...DEFAULT_DECODE_LIMITS, maxBytes: file.length - 1 }
    await expect(decodeImage(file, limits)).rejects.toMatchObject({ reason: 'too-large' })
  })
})
