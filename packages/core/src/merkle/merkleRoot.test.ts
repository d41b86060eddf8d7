import { hexToBytes } from "viem";
import { describe, expect, test } from "vitest";
import { MerkleArgumentError } from "../errors.ts";
import { makeLeaves, referenceRoot, toHex } from "./_test/reference.ts";
import { leaves, roots } from "./_test/rfc6962Vectors.ts";
import { merkleRoot } from "./merkleRoot.ts";

const vectorLeaves = leaves.map((leaf) => hexToBytes(leaf));

describe("merkleRoot", () => {
  test("behavior: matches the published RFC 6962 roots for 0 to 8 leaves", () => {
    for (let size = 0; size <= 8; size++) {
      expect(merkleRoot(vectorLeaves.slice(0, size))).toBe(roots[size]);
    }
  });

  test("behavior: the empty tree's root is SHA-256 of the empty string", () => {
    expect(merkleRoot([])).toBe("0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });

  test("behavior: agrees with the naive RFC definition for every size up to 64", () => {
    const all = makeLeaves(64);
    for (let size = 0; size <= 64; size++) {
      const subset = all.slice(0, size);
      expect(merkleRoot(subset)).toBe(toHex(referenceRoot(subset)));
    }
  });

  test.each([127, 128, 129, 1000, 1025])("behavior: agrees with the naive RFC definition for %i leaves", (size) => {
    const subset = makeLeaves(size, 1);
    expect(merkleRoot(subset)).toBe(toHex(referenceRoot(subset)));
  });

  test("behavior: depends on the order of the leaves", () => {
    const [a, b] = makeLeaves(2) as [Uint8Array, Uint8Array];
    expect(merkleRoot([a, b])).not.toBe(merkleRoot([b, a]));
  });

  test("args: does not modify the leaves", () => {
    const input = makeLeaves(5);
    const copy = input.map((leaf) => leaf.slice());
    merkleRoot(input);
    expect(input).toEqual(copy);
  });

  test("error: rejects a leaf that is not a Uint8Array", () => {
    const bad = [new Uint8Array(1), "0x00"] as unknown as Uint8Array[];
    expect(() => merkleRoot(bad)).toThrow(MerkleArgumentError);
    expect(() => merkleRoot(bad)).toThrow("Leaf 1 is not a Uint8Array.");
  });
});
