/**
 * The first entry recorded at or after a time, by binary search over entry indexes: entries are
 * numbered in the order of their blocks, and block timestamps never decrease, so an entry's time
 * never decreases with its index. About log2(size) primary-key reads — no index on time needed.
 */
import type { Queryable } from "@shanji/indexer";

export async function firstIndexAtOrAfter(q: Queryable, seconds: number, logSize: bigint): Promise<bigint> {
  let low = 0n;
  let high = logSize;
  while (low < high) {
    const mid = (low + high) / 2n;
    const [row] = await q.query<{ ts: bigint }>("select ts from entries where idx = $1", [mid]);
    if (row === undefined) throw new Error(`entry ${mid} is missing below log size ${logSize}`);
    if (row.ts >= BigInt(seconds)) high = mid;
    else low = mid + 1n;
  }
  return low;
}
