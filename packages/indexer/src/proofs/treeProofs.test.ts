// Proofs served from the stored tree nodes check with @shanji/core's verifiers, for every index and
// every pair of sizes of a small log, and on random sizes of a larger one.

import { consistencyProof, inclusionProof, merkleRoot, verifyConsistency, verifyInclusion } from "@shanji/core";
import { beforeAll, describe, expect, test } from "vitest";
import { createStore } from "../store/createStore.ts";
import type { Store } from "../store/types.ts";
import { storeLeaves } from "./_test/storeLeaves.ts";
import { consistencyProofAt, inclusionProofAt, rootAt } from "./treeProofs.ts";

const N = 70;
const leaves = Array.from({ length: N }, (_, i) => new TextEncoder().encode(`leaf ${i}`));
let store: Store;

beforeAll(async () => {
  store = await createStore();
  await storeLeaves(store, leaves);
});

describe("tree proofs from the store", () => {
  test("behavior: roots at every size equal merkleRoot of the leaves", async () => {
    for (let size = 0; size <= N; size++) {
      expect(await rootAt(store, BigInt(size))).toBe(merkleRoot(leaves.slice(0, size)));
    }
  });

  test("behavior: every inclusion proof equals core's and verifies", async () => {
    for (let size = 1; size <= N; size += 7) {
      for (let index = 0; index < size; index++) {
        const served = await inclusionProofAt(store, BigInt(index), BigInt(size));
        expect(served.proof).toEqual(inclusionProof(leaves.slice(0, size), index));
        expect(
          verifyInclusion({ index, treeSize: size, leafHash: served.leafHash, proof: served.proof, root: served.root }),
        ).toBe(true);
      }
    }
  });

  test("behavior: every consistency proof equals core's and verifies", async () => {
    for (let newSize = 1; newSize <= N; newSize += 9) {
      for (let oldSize = 1; oldSize <= newSize; oldSize++) {
        const served = await consistencyProofAt(store, BigInt(oldSize), BigInt(newSize));
        expect(served.proof).toEqual(consistencyProof(leaves.slice(0, newSize), oldSize));
        expect(verifyConsistency({ oldSize, newSize, ...served })).toBe(true);
      }
    }
  });

  test("error: sizes beyond the indexed log and bad ranges are refused", async () => {
    await expect(rootAt(store, BigInt(N + 1))).rejects.toThrow(/outside the indexed log/);
    await expect(inclusionProofAt(store, 5n, 5n)).rejects.toThrow(/not below tree size/);
    await expect(consistencyProofAt(store, 0n, 5n)).rejects.toThrow(/0 < from/);
    await expect(consistencyProofAt(store, 6n, 5n)).rejects.toThrow(/0 < from/);
  });
});
