/**
 * PDQ hashes as packed 32-bit words. A hash is the 256-bit integer printed big-endian as 64 hex digits
 * (brief pdq.md §1.10); word 0 holds hex digits 0..7 (bits 255..224), word 7 holds digits 56..63.
 * Hamming distance does not depend on the word order as long as both sides use the same one, and this
 * order makes `wordsToHex(hexToWords(h)) === h` a plain slice-by-slice conversion.
 */

export const PDQ_WORDS = 8
export const PDQ_HEX_LENGTH = 64
/** The published match threshold: distance <= 31 of 256 (pdq/README.md, python-threatexchange, HMA). */
export const PDQ_MATCH_RADIUS = 31

const HEX_PATTERN = /^[0-9a-fA-F]{64}$/

export function isPdqHex(value: string): boolean {
  return HEX_PATTERN.test(value)
}

/** Parses 64 hex digits (either case) into `out` at word offset `at`; throws RangeError on bad input. */
export function hexToWords(hex: string, out: Uint32Array = new Uint32Array(PDQ_WORDS), at = 0): Uint32Array {
  if (!HEX_PATTERN.test(hex))
    throw new RangeError(`not a 64-digit hex PDQ hash: ${JSON.stringify(hex.slice(0, 80))}`)
  for (let w = 0; w < PDQ_WORDS; w++) out[at + w] = Number.parseInt(hex.slice(w * 8, w * 8 + 8), 16)
  return out
}

export function wordsToHex(words: Uint32Array, at = 0): string {
  let hex = ''
  for (let w = 0; w < PDQ_WORDS; w++) hex += (words[at + w]! >>> 0).toString(16).padStart(8, '0')
  return hex
}

/** Bit-trick popcount: V8 has no popcount intrinsic reachable from JS, and this compiles to ~12 ops. */
export function popcount32(value: number): number {
  let x = value - ((value >>> 1) & 0x55555555)
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333)
  x = (x + (x >>> 4)) & 0x0f0f0f0f
  return Math.imul(x, 0x01010101) >>> 24
}

/** Hamming distance between the hash at word offset `aAt` of `a` and the one at `bAt` of `b`. */
export function pdqDistance(a: Uint32Array, b: Uint32Array, aAt = 0, bAt = 0): number {
  let distance = 0
  for (let w = 0; w < PDQ_WORDS; w++) distance += popcount32(a[aAt + w]! ^ b[bAt + w]!)
  return distance
}

export function pdqHexDistance(a: string, b: string): number {
  return pdqDistance(hexToWords(a), hexToWords(b))
}

/** Packs many hex hashes into one word array (8 words per hash), e.g. for `PdqIndex.build`. */
export function packHexHashes(hashes: readonly string[]): Uint32Array {
  const words = new Uint32Array(hashes.length * PDQ_WORDS)
  for (let i = 0; i < hashes.length; i++) hexToWords(hashes[i]!, words, i * PDQ_WORDS)
  return words
}
