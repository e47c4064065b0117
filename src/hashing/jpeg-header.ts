// The frame header of a JPEG (SOFn), read from the bytes so that the common case, an 8-bit grey or
// YCbCr/RGB JPEG, needs no separate libvips header pass before it is decoded.

export interface JpegFrame {
  /** The SOF marker's second byte: C0 baseline, C1 extended, C2 progressive, … */
  marker: number
  width: number
  height: number
  /** 1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK. */
  components: number
  /** Bits per sample: 8, or 12 for the rare 12-bit JPEGs. */
  precision: number
}

const SOI = 0xd8
const SOS = 0xda
const EOI = 0xd9

/** SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC), which share the range but are not frames. */
const isFrameMarker = (marker: number): boolean =>
  marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc

/**
 * The first frame header, or null when the bytes are not a well-formed JPEG up to it (the caller then
 * takes the general path, which reports the problem). Height 0 (defined later by a DNL marker) is
 * returned as is.
 */
export function readJpegFrame(bytes: Uint8Array): JpegFrame | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== SOI) return null
  let i = 2
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return null
    const marker = bytes[i + 1]!
    // Fill bytes (FF FF …) may precede a marker; standalone markers have no length.
    if (marker === 0xff) {
      i++
      continue
    }
    if (marker === SOI || marker === EOI || marker === SOS || (marker >= 0xd0 && marker <= 0xd7)) return null
    const length = (bytes[i + 2]! << 8) | bytes[i + 3]!
    if (length < 2) return null
    if (isFrameMarker(marker)) {
      if (length < 8 || i + 10 > bytes.length) return null
      return {
        marker,
        precision: bytes[i + 4]!,
        height: (bytes[i + 5]! << 8) | bytes[i + 6]!,
        width: (bytes[i + 7]! << 8) | bytes[i + 8]!,
        components: bytes[i + 9]!,
      }
    }
    i += 2 + length
  }
  return null
}
