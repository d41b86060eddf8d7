/** Names of organisations by id, for answers that mention organisations (one query for all). */
import type { Queryable } from "@shanji/indexer";

export async function orgNames(q: Queryable, ids: Iterable<bigint>): Promise<Map<bigint, string>> {
  const unique = [...new Set([...ids].map(String))];
  const names = new Map<bigint, string>();
  if (unique.length === 0) return names;
  const rows = await q.query<{ org_id: bigint; name: string }>(
    "select org_id, name from orgs where org_id = any($1::bigint[])",
    [unique],
  );
  for (const row of rows) names.set(row.org_id, row.name);
  return names;
}
