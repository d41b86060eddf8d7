// Test fixture: a log of leaves written into a store as the indexer writes it, without a chain.
import { sha256 } from "@noble/hashes/sha2.js";
import type { Store } from "../../store/types.ts";
import { createMerkleFrontier } from "../../sync/merkleFrontier.ts";
import { LOWEST_STORED_LEVEL } from "../storedTree.ts";

/**
 * Stores `leaves` as entries 0…n-1 (their leaf hashes, placeholder columns), the completed tree
 * nodes from `lowestLevel` up (LOWEST_STORED_LEVEL, as the indexer does; 1 as it did before
 * migration 6), and a cursor at n.
 */
export async function storeLeaves(
  store: Store,
  leaves: readonly Uint8Array[],
  { lowestLevel = LOWEST_STORED_LEVEL }: { lowestLevel?: number } = {},
): Promise<void> {
  const frontier = createMerkleFrontier(0n, []);
  for (const [i, leaf] of leaves.entries()) {
    const prefixed = new Uint8Array(leaf.length + 1);
    prefixed.set(leaf, 1);
    const hash = sha256(prefixed);
    for (const node of frontier.append(hash)) {
      if (node.level < lowestLevel) continue;
      await store.query("insert into tree_nodes (level, pos, hash) values ($1, $2, $3)", [
        node.level,
        node.pos,
        node.hash,
      ]);
    }
    await store.query(
      `insert into entries (idx, block_number, tx_hash, log_index, kind, actor_org, ts, leaf, leaf_hash, record)
       values ($1, 1, $2, 0, 1, 0, 0, $3, $4, '{}'::jsonb)`,
      [BigInt(i), new Uint8Array(32), leaf, hash],
    );
  }
  await store.query("insert into sync_cursor (id, block_number, block_hash, log_size) values (1, 1, $1, $2)", [
    new Uint8Array(32),
    BigInt(leaves.length),
  ]);
}
