import { describe, expect, test } from "vitest";
import { MerkleArgumentError } from "../errors.ts";
import { makeLeaves, referenceRoot, toHex } from "./_test/reference.ts";
import { nodeHashes, roots } from "./_test/rfc6962Vectors.ts";
import { leafHash } from "./leafHash.ts";
import { merkleRoot } from "./merkleRoot.ts";
import { merkleRootFromLeafHashes } from "./merkleRootFromLeafHashes.ts";

const vectorLeafHashes = nodeHashes[0] ?? [];

describe("merkleRootFromLeafHashes", () => {
  test("behavior: matches the published RFC 6962 roots for 0 to 8 leaves", () => {
    for (let size = 0; size <= 8; size++) {
      expect(merkleRootFromLeafHashes(vectorLeafHashes.slice(0, size))).toBe(roots[size]);
    }
  });

  test("behavior: agrees with merkleRoot over the leaf data for every size up to 64", () => {
    const leaves = makeLeaves(64);
    const hashes = leaves.map((leaf) => leafHash(leaf));
    for (let size = 0; size <= 64; size++) {
      expect(merkleRootFromLeafHashes(hashes.slice(0, size))).toBe(merkleRoot(leaves.slice(0, size)));
    }
  });

  test("behavior: agrees with the naive RFC definition on 10,007 leaves", { timeout: 60_000 }, () => {
    const leaves = makeLeaves(10_007, 2);
    const hashes = leaves.map((leaf) => leafHash(leaf));
    expect(merkleRootFromLeafHashes(hashes)).toBe(toHex(referenceRoot(leaves)));
  });

  test("args: accepts upper-case hex digits", () => {
    const upper = vectorLeafHashes.map((hash) => `0x${hash.slice(2).toUpperCase()}` as const);
    expect(merkleRootFromLeafHashes(upper)).toBe(roots[8]);
  });

  test.each([
    ["a 31-byte hash", `0x${"ab".repeat(31)}`],
    ["hex without 0x", "ab".repeat(32)],
    ["a non-hex digit", `0x${"ab".repeat(31)}ag`],
    ["a number", 42],
    ["undefined", undefined],
  ])("error: rejects %s and names the leaf", (_, bad) => {
    const hashes = [...vectorLeafHashes.slice(0, 3), bad as `0x${string}`];
    expect(() => merkleRootFromLeafHashes(hashes)).toThrow(MerkleArgumentError);
    expect(() => merkleRootFromLeafHashes(hashes)).toThrow(/^Leaf hash 3 is not/);
  });
});
