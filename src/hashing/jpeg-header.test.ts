import sharp from 'sharp'
import { describe, expect, it } from 'vitest'
import { readJpegFrame } from './jpeg-header.js'

const raw = (width: number, height: number, channels: 1 | 3): sharp.Sharp =>
  sharp(Buffer.alloc(width * height * channels, 90), { raw: { width, height, channels } })

describe('readJpegFrame', () => {
  it('reads baseline, progressive, grey and CMYK frame headers', async () => {
    expect(readJpegFrame(await raw(70, 40, 3).jpeg().toBuffer())).toEqual({
      marker: 0xc0,
      precision: 8,
      width: 70,
      height: 40,
      components: 3,
    })
    expect(readJpegFrame(await raw(70, 40, 3).jpeg({ progressive: true }).toBuffer())).toMatchObject({
      marker: 0xc2,
      components: 3,
    })
    expect(readJpegFrame(await raw(33, 17, 1).toColourspace('b-w').jpeg().toBuffer())).toMatchObject({
      width: 33,
      height: 17,
      components: 1,
    })
    const cmyk = await raw(20, 10, 3).toColourspace('cmyk').jpeg().toBuffer()
    expect(readJpegFrame(cmyk)).toMatchObject({ components: 4 })
  })

  it('skips fill bytes between segments', async () => {
    const jpeg = await raw(12, 9, 3).jpeg().toBuffer()
    const padded = Buffer.concat([jpeg.subarray(0, 2), Buffer.from([0xff, 0xff, 0xff]), jpeg.subarray(2)])
    expect(readJpegFrame(padded)).toMatchObject({ width: 12, height: 9 })
  })

  it('returns null for anything else, so that the general decode path reports it', async () => {
    const jpeg = await raw(12, 9, 3).jpeg().toBuffer()
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]))
    expect(readJpegFrame(jpeg.subarray(0, sof + 6))).toBeNull()
    expect(readJpegFrame(await raw(12, 9, 3).png().toBuffer())).toBeNull()
    expect(readJpegFrame(Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 2]))).toBeNull()
    expect(readJpegFrame(Buffer.from([0xff, 0xd8, 0x00, 0x00, 0, 0]))).toBeNull()
    expect(readJpegFrame(Buffer.alloc(0))).toBeNull()
  })
})
