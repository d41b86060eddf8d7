// The frontier against RFC 6962 as @shanji/core computes it, and its node positions against plain
// bigint arithmetic at sizes past what 32-bit bit operators hold.
import { hash } from "node:crypto";
import { merkleRootFromLeafHashes } from "@shanji/core";
import { bytesToHex, type Hex } from "viem";
import { describe, expect, test } from "vitest";
import { createMerkleFrontier, nodeHash, peakPositions, sha256, type TreeNode } from "./merkleFrontier.ts";

const leafHashOf = (i: number): Uint8Array => sha256(Buffer.from(`leaf ${i}`));

describe("createMerkleFrontier", () => {
  test("behavior: the root after each of 0–70 leaves is the RFC 6962 root of those leaves", () => {
    const frontier = createMerkleFrontier(0n, []);
    const hashes: Hex[] = [];
    expect(bytesToHex(frontier.root())).toBe(merkleRootFromLeafHashes([]));
    for (let i = 0; i < 70; i++) {
      const leaf = leafHashOf(i);
      frontier.append(leaf);
      hashes.push(bytesToHex(leaf));
      expect(bytesToHex(frontier.root())).toBe(merkleRootFromLeafHashes(hashes));
    }
    expect(frontier.size).toBe(70n);
  });

  test("behavior: the nodes an append completes have the positions n >> level, past 2^32 and 2^53 − 2^20 leaves", () => {
    for (const start of [2n ** 32n - 5n, 2n ** 40n + 3n, 2n ** 53n - 2n ** 20n - 3n]) {
      // Any hashes will do for the peaks: the positions depend on the size alone.
      const peaks: TreeNode[] = peakPositions(start).map(({ level, pos }) => ({ level, pos, hash: leafHashOf(level) }));
      const frontier = createMerkleFrontier(start, peaks);
      for (let n = start; n < start + 8n; n++) {
        const created = frontier.append(leafHashOf(Number(n % 1000n)));
        const expected: { level: number; pos: bigint }[] = [];
        let level = 0;
        for (let bits = n; bits & 1n; bits >>= 1n) {
          level += 1;
          expected.push({ level, pos: n >> BigInt(level) });
        }
        expect(created.map(({ level, pos }) => ({ level, pos }))).toEqual(expected);
        expect(frontier.size).toBe(n + 1n);
      }
      // The peaks it would be resumed from are where peakPositions puts them.
      expect(frontier.peaks().map(({ level, pos }) => ({ level, pos }))).toEqual(peakPositions(start + 8n));
    }
  });

  test("behavior: sha256 and nodeHash give Node's SHA-256 digests (of 0x01 ‖ left ‖ right for a node)", () => {
    const data = Buffer.from("shanji");
    expect(Buffer.from(sha256(data))).toEqual(hash("sha256", data, "buffer"));
    const [left, right] = [leafHashOf(1), leafHashOf(2)];
    expect(Buffer.from(nodeHash(left, right))).toEqual(
      hash("sha256", Buffer.concat([Buffer.from([1]), left, right]), "buffer"),
    );
    // The input buffer is reused: a node's hash must not change when the next one is computed.
    const first = nodeHash(left, right);
    const copy = Uint8Array.from(first);
    nodeHash(right, left);
    expect(first).toEqual(copy);
  });
});
