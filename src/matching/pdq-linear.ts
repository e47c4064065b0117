/**
 * The naive TypeScript linear scan: the correctness oracle for the index tests and the baseline the
 * bench prints beside the index. Early exit once the running distance passes the radius.
 */
import { PDQ_WORDS, popcount32 } from './pdq-hash.js'
import type { PdqMatch } from './pdq-index.js'

export function linearScan(
  ids: Uint32Array,
  words: Uint32Array,
  query: Uint32Array,
  radius: number,
  count = ids.length,
): PdqMatch[] {
  const matches: PdqMatch[] = []
  for (let i = 0; i < count; i++) {
    const at = i * PDQ_WORDS
    let distance = 0
    for (let w = 0; w < PDQ_WORDS && distance <= radius; w++)
      distance += popcount32(words[at + w]! ^ query[w]!)
    if (distance <= radius) matches.push({ id: ids[i]!, distance })
  }
  return matches
}

/** Per-id minimum distance over several query hashes (the dihedral variants), by linear scan. */
export function linearScanMany(
  ids: Uint32Array,
  words: Uint32Array,
  queries: readonly Uint32Array[],
  radius: number,
  count = ids.length,
): PdqMatch[] {
  const best = new Map<number, number>()
  for (const query of queries) {
    for (const { id, distance } of linearScan(ids, words, query, radius, count)) {
      const previous = best.get(id)
      if (previous === undefined || distance < previous) best.set(id, distance)
    }
  }
  return [...best].map(([id, distance]) => ({ id, distance }))
}
