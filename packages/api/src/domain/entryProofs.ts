/**
 * Inclusion proofs of entries, for answers that let a reader check each record against the chain:
 * the raw leaf (decode it with @shanji/core's decodeLeaf) and an RFC 9162 proof into the root of
 * the snapshot's log size, which the chain reported at the end of `snapshot.sizeBlock`.
 */
import { inclusionProofAt, type Queryable } from "@shanji/indexer";
import { bytesToHex, type Hex } from "viem";
import type { LedgerSnapshot } from "../context.ts";
import type { InclusionProof } from "../schemas.ts";

export type ProvenEntry = { leaf: Hex; proof: InclusionProof };

/** Proofs are computed a few at a time: each is a couple of queries. */
const CONCURRENCY = 8;

export async function entryProofs(
  q: Queryable,
  snapshot: LedgerSnapshot,
  indexes: Iterable<bigint>,
): Promise<Map<bigint, ProvenEntry>> {
  const wanted = [...new Set(indexes)].filter((i) => i < snapshot.logSize);
  const proven = new Map<bigint, ProvenEntry>();
  if (wanted.length === 0) return proven;
  const rows = await q.query<{ idx: bigint; leaf: Uint8Array }>(
    "select idx, leaf from entries where idx = any($1::bigint[])",
    [wanted],
  );
  const leaves = new Map(rows.map((r) => [r.idx, bytesToHex(r.leaf)]));
  const blockNumber = snapshot.sizeBlock.toString();
  const treeSize = snapshot.logSize.toString();
  let next = 0;
  const work = async () => {
    while (next < wanted.length) {
      const index = wanted[next++] as bigint;
      const leaf = leaves.get(index);
      if (leaf === undefined) continue;
      const { proof, root } = await inclusionProofAt(q, index, snapshot.logSize);
      proven.set(index, {
        leaf,
        proof: { index: index.toString(), treeSize, root, inclusion: proof, blockNumber },
      });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, wanted.length) }, work));
  return proven;
}
