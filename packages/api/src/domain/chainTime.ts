/**
 * The chain's time at the indexed head: the timestamp of the last indexed entry. Rules with
 * deadlines (disclosures, yearly limits) are judged at this time rather than the wall clock, so
 * that the same ledger always gives the same answer (and tests are deterministic). The indexer
 * stores no block timestamps, so a chain that has been quiet for a while is judged as of its last
 * entry.
 */
import type { Queryable } from "@shanji/indexer";
import type { LedgerSnapshot } from "../context.ts";

export async function chainTime(q: Queryable, snapshot: LedgerSnapshot): Promise<number> {
  if (snapshot.logSize === 0n) return 0;
  const [row] = await q.query<{ ts: bigint }>("select ts from entries where idx = $1", [snapshot.logSize - 1n]);
  return Number(row?.ts ?? 0n);
}
