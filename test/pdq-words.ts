import { PDQ_WORDS } from '../src/matching/pdq-hash.js'

/** Deterministic xorshift PDQ words (8 per hash) from a seed, so a failing property case replays exactly. */
export function randomWords(count: number, seed: number): Uint32Array {
  let state = seed >>> 0 || 1
  const words = new Uint32Array(count * PDQ_WORDS)
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    words[i] = state >>> 0
  }
  return words
}
