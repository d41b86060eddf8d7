/**
 * A stream's whole history (a volunteer, an organisation, an activity), page after page, and the
 * checks that make it trustworthy without trusting the API: following the back-pointers from the
 * head reaches the first entry and visits every item, the count matches the head, and every item's
 * proof verifies into the head's root. (Comparing head and root with the chain is the reader's step.)
 */
import { checkEntryProof, type EntryProofInput } from "../verify/checkEntryProof.ts";
import { apiPath, getJson } from "./client.ts";
import type { StreamHistory } from "./types.ts";

export type StreamItem = StreamHistory["items"][number];

export type FullHistory = { head: StreamHistory["head"]; items: StreamItem[]; ledger: StreamHistory["ledger"] };

export async function fetchStreamHistory(stream: string, signal?: AbortSignal): Promise<FullHistory> {
  let cursor: string | null = null;
  const items: StreamItem[] = [];
  let first: StreamHistory | undefined;
  do {
    const page: StreamHistory = await getJson<StreamHistory>(
      apiPath(`/v1/streams/${stream}/history`, { limit: 500, order: cursor ? undefined : "desc", cursor }),
      signal,
    );
    first ??= page;
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return { head: first.head, items, ledger: first.ledger };
}

export type Completeness = { complete: boolean; proofsOk: boolean; count: number };

export function checkHistory(history: FullHistory): Completeness {
  const byIndex = new Map(history.items.map((item) => [item.index, item]));
  let visited = 0;
  let at: string | null = history.head.count === "0" ? null : history.head.lastIndex;
  while (at !== null) {
    const item = byIndex.get(at);
    if (!item) break;
    visited++;
    at = item.prevIndex;
    if (visited > history.items.length) break;
  }
  const complete = at === null && visited === history.items.length && String(visited) === history.head.count;
  const proofsOk = history.items.every(
    (item) =>
      item.proof.root === history.head.root &&
      checkEntryProof({
        index: item.index,
        leaf: item.leaf,
        leafHash: item.leafHash,
        proof: item.proof,
      } as EntryProofInput).ok,
  );
  return { complete, proofsOk, count: visited };
}
