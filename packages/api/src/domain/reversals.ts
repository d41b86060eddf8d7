/**
 * Which records were reversed, and by which entry: recordReversed (kind 35) for donations and
 * disbursements, creditReversed (kind 62) for volunteer credit. Indexed by the reversed record's
 * index (migrations/0003_api.sql entries_reversal_target).
 */
import type { Queryable } from "@shanji/indexer";

export type Reversal = { index: bigint; time: bigint; reason: number };

export async function reversalsOf(
  q: Queryable,
  targets: readonly bigint[],
  logSize: bigint,
): Promise<Map<bigint, Reversal>> {
  const found = new Map<bigint, Reversal>();
  if (targets.length === 0) return found;
  const rows = await q.query<{ idx: bigint; ts: bigint; target: string; reason: number }>(
    `select idx, ts, record->>'targetIndex' as target, (record->>'reason')::int as reason from entries
     where kind in (35, 62) and (record->>'targetIndex') = any($1::text[]) and idx < $2 order by idx`,
    [[...new Set(targets.map(String))], logSize],
  );
  for (const row of rows) {
    const target = BigInt(row.target);
    if (!found.has(target)) found.set(target, { index: row.idx, time: row.ts, reason: row.reason });
  }
  return found;
}
