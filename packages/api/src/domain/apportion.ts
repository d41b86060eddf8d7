/**
 * Splits a share of a lot among the lot's outflows in proportion to what each took from it, in
 * whole minor units: each part is share × weight ÷ total rounded down, and the units still missing
 * go one each to the parts with the largest remainders (ties to the earlier part). The same rule
 * as the indexer's donor trace (packages/indexer/src/views/traceDonation.ts), so that a flow graph
 * and a donor's trace split money the same way. The parts add up to share × Σweights ÷ total
 * rounded down: exactly `share` when the weights add up to `total`.
 */
export function apportion(share: bigint, total: bigint, weights: readonly bigint[]): bigint[] {
  if (total === 0n) return weights.map(() => 0n);
  const weightSum = weights.reduce((sum, w) => sum + w, 0n);
  const parts = weights.map((w) => (share * w) / total);
  let missing = (share * weightSum) / total - parts.reduce((sum, p) => sum + p, 0n);
  const order = weights
    .map((w, i) => ({ i, remainder: (share * w) % total }))
    .sort((a, b) => (a.remainder > b.remainder ? -1 : a.remainder < b.remainder ? 1 : a.i - b.i));
  for (const { i } of order) {
    if (missing === 0n) break;
    parts[i] = (parts[i] ?? 0n) + 1n;
    missing--;
  }
  return parts;
}
