import { createHash } from "node:crypto";
import fc from "fast-check";
import { hexToBytes } from "viem";
import { describe, expect, test } from "vitest";
import { MerkleArgumentError } from "../errors.ts";
import { leaves, nodeHashes } from "./_test/rfc6962Vectors.ts";
import { leafHash } from "./leafHash.ts";

describe("leafHash", () => {
  test("behavior: matches the published RFC 6962 leaf hashes", () => {
    leaves.forEach((leaf, i) => {
      expect(leafHash(hexToBytes(leaf))).toBe(nodeHashes[0]?.[i]);
    });
  });

  test("behavior: hashes empty data to SHA-256(0x00)", () => {
    expect(leafHash(new Uint8Array())).toBe("0x6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
  });

  test("behavior: is SHA-256 of 0x00 followed by the data", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (data) => {
        const expected = createHash("sha256").update(Uint8Array.of(0)).update(data).digest("hex");
        expect(leafHash(data)).toBe(`0x${expected}`);
      }),
    );
  });

  test("args: hashes only the bytes of a subarray view", () => {
    const buffer = Uint8Array.from([9, 1, 2, 3, 9]);
    expect(leafHash(buffer.subarray(1, 4))).toBe(leafHash(Uint8Array.from([1, 2, 3])));
  });

  test("error: rejects data that is not a Uint8Array", () => {
    expect(() => leafHash("0x00" as unknown as Uint8Array)).toThrow(MerkleArgumentError);
  });
});
