import { createHash } from "node:crypto";
import { hexToBytes } from "viem";
import { describe, expect, test } from "vitest";
import { MerkleArgumentError } from "../errors.ts";
import { nodeHashes } from "./_test/rfc6962Vectors.ts";
import { leafHash } from "./leafHash.ts";
import { nodeHash } from "./nodeHash.ts";

describe("nodeHash", () => {
  test("behavior: rebuilds every published RFC 6962 subtree hash from its children", () => {
    for (let level = 1; level < nodeHashes.length; level++) {
      const below = nodeHashes[level - 1] ?? [];
      nodeHashes[level]?.forEach((expected, i) => {
        expect(nodeHash(below[2 * i] as `0x${string}`, below[2 * i + 1] as `0x${string}`)).toBe(expected);
      });
    }
  });

  test("behavior: is SHA-256 of 0x01 followed by both children", () => {
    const left = leafHash(Uint8Array.of(1));
    const right = leafHash(Uint8Array.of(2));
    const expected = createHash("sha256")
      .update(Uint8Array.of(1))
      .update(hexToBytes(left))
      .update(hexToBytes(right))
      .digest("hex");
    expect(nodeHash(left, right)).toBe(`0x${expected}`);
  });

  test("behavior: is not symmetric", () => {
    const a = leafHash(Uint8Array.of(1));
    const b = leafHash(Uint8Array.of(2));
    expect(nodeHash(a, b)).not.toBe(nodeHash(b, a));
  });

  test("behavior: a node never equals the leaf hash of its children's bytes (domain separation)", () => {
    const a = leafHash(Uint8Array.of(1));
    const b = leafHash(Uint8Array.of(2));
    const concatenated = new Uint8Array([...hexToBytes(a), ...hexToBytes(b)]);
    expect(nodeHash(a, b)).not.toBe(leafHash(concatenated));
  });

  test("args: accepts bytes, lower- and upper-case hex alike", () => {
    const a = leafHash(Uint8Array.of(1));
    const b = leafHash(Uint8Array.of(2));
    const expected = nodeHash(a, b);
    expect(nodeHash(hexToBytes(a), hexToBytes(b))).toBe(expected);
    expect(nodeHash(a, hexToBytes(b))).toBe(expected);
    expect(nodeHash(`0x${a.slice(2).toUpperCase()}`, b)).toBe(expected);
  });

  test("args: does not modify the byte arrays it is given", () => {
    const a = hexToBytes(leafHash(Uint8Array.of(1)));
    const copy = a.slice();
    nodeHash(a, a);
    expect(a).toEqual(copy);
  });

  test.each([
    ["a 31-byte hash", `0x${"ab".repeat(31)}`],
    ["a 33-byte hash", `0x${"ab".repeat(33)}`],
    ["hex without 0x", "ab".repeat(32)],
    ["non-hex digits", `0x${"zz".repeat(32)}`],
    ["a 31-byte array", new Uint8Array(31)],
    ["an empty string", ""],
  ])("error: rejects %s", (_, bad) => {
    const good = leafHash(Uint8Array.of(1));
    expect(() => nodeHash(bad as `0x${string}`, good)).toThrow(MerkleArgumentError);
    expect(() => nodeHash(good, bad as `0x${string}`)).toThrow(/right child/);
  });
});
