/**
 * The pair bound b = floor(r / 8): every vector of 16 chunk distances summing to at most r has a chunk t
 * with d_t <= p = floor(r / 16) and d_t + d_{(t+1) mod 16} <= b, and no smaller bound always works.
 *
 * Proof: suppose every "small" chunk (d_t <= p) had d_t + d_{t+1} >= b + 1. As b >= 2p, a small chunk's
 * successor has d >= b + 1 - p > p, so it is not small: the pairs (t, t+1) over the small chunks S are
 * disjoint, and every other chunk is >= p + 1. Sum >= |S|(b + 1) + (16 - 2|S|)(p + 1) = 16(p + 1) +
 * |S|(b - 2p - 1). If r mod 16 >= 8, b = 2p + 1 and the sum is >= 16(p + 1) > r; otherwise b = 2p,
 * |S| <= 8 and the sum is >= 16p + 8 > r. Minimal: p, p+1, p, p+1, ... (sum 16p + 8 <= r when r mod 16
 * >= 8) or p, p, ... (sum 16p) puts every pair at b, defeating b - 1. At r = 31: p = 1, b = 3, and
 * 1, 2, 1, 2, ... (sum 24) defeats 2. The tests re-derive it by an exact search checked by brute force.
 */
export function pairBound(radius: number): number {
  return Math.floor(radius / 8)
}
