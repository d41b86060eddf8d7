/**
 * For the domain routes' tests: checks a proven entry of an answer the way a reader would — the
 * leaf proves into the root with @shanji/core, and that root is what the chain's root() returns at
 * the block the proof names.
 */
import { decodeLeaf, type Entry, leafHash, transparencyLogAbi, verifyInclusion } from "@shanji/core";
import { type Hex, hexToBytes } from "viem";
import { expect } from "vitest";
import type { ApiFixture } from "../../_test/apiFixture.ts";

type Proven = {
  leaf: string;
  proof: { index: string; treeSize: string; root: string; inclusion: string[]; blockNumber: string };
};

const checkpoints = new Map<string, { root: Hex; size: bigint }>();

/** Verifies `proven` and returns its decoded entry. */
export async function checkProof(f: ApiFixture, proven: Proven, index?: string): Promise<Entry> {
  const { leaf, proof } = proven;
  if (index !== undefined) expect(proof.index).toBe(index);
  const ok = verifyInclusion({
    index: BigInt(proof.index),
    treeSize: BigInt(proof.treeSize),
    leafHash: leafHash(hexToBytes(leaf as Hex)),
    proof: proof.inclusion as Hex[],
    root: proof.root as Hex,
  });
  expect(ok).toBe(true);
  const key = `${f.rpcUrl}:${proof.blockNumber}`;
  let checkpoint = checkpoints.get(key);
  if (checkpoint === undefined) {
    const at = { address: f.deployment.addresses.log, abi: transparencyLogAbi, blockNumber: BigInt(proof.blockNumber) };
    checkpoint = {
      root: await f.client.readContract({ ...at, functionName: "root" }),
      size: await f.client.readContract({ ...at, functionName: "size" }),
    };
    checkpoints.set(key, checkpoint);
  }
  expect(proof.root).toBe(checkpoint.root);
  expect(proof.treeSize).toBe(checkpoint.size.toString());
  const entry = decodeLeaf(leaf as Hex);
  expect(entry.index).toBe(BigInt(proof.index));
  return entry;
}
