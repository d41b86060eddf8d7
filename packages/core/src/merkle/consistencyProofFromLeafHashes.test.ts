import { describe, expect, test } from "vitest";
import { MerkleArgumentError } from "../errors.ts";
import { makeLeaves } from "./_test/reference.ts";
import { consistencyProofs, nodeHashes } from "./_test/rfc6962Vectors.ts";
import { consistencyProof } from "./consistencyProof.ts";
import { consistencyProofFromLeafHashes } from "./consistencyProofFromLeafHashes.ts";
import { leafHash } from "./leafHash.ts";

const vectorLeafHashes = nodeHashes[0] ?? [];

describe("consistencyProofFromLeafHashes", () => {
  test.each(consistencyProofs)(
    "behavior: matches the published RFC 6962 proof from $oldSize to $newSize leaves",
    ({ oldSize, newSize, proof }) => {
      expect(consistencyProofFromLeafHashes(vectorLeafHashes.slice(0, newSize), oldSize)).toEqual(proof);
    },
  );

  test("behavior: equals consistencyProof over the leaf data, for every pair of sizes up to 64", {
    timeout: 60_000,
  }, () => {
    const leaves = makeLeaves(64);
    const hashes = leaves.map((leaf) => leafHash(leaf));
    for (let newSize = 1; newSize <= 64; newSize++) {
      for (let oldSize = 1; oldSize <= newSize; oldSize++) {
        expect(consistencyProofFromLeafHashes(hashes.slice(0, newSize), oldSize)).toEqual(
          consistencyProof(leaves.slice(0, newSize), oldSize),
        );
      }
    }
  });

  test("error: an empty tree has no older tree", () => {
    expect(() => consistencyProofFromLeafHashes([], 1)).toThrow(MerkleArgumentError);
  });

  test("error: rejects an old size larger than the tree", () => {
    expect(() => consistencyProofFromLeafHashes(vectorLeafHashes, 9)).toThrow(
      "oldSize must be an integer from 1 to 8, got 9.",
    );
  });

  test("error: rejects a malformed leaf hash", () => {
    const hashes = [vectorLeafHashes[0] as `0x${string}`, "0xnothex" as const];
    expect(() => consistencyProofFromLeafHashes(hashes, 1)).toThrow(/^Leaf hash 1 is not/);
  });
});
