/** Helpers that damage proofs and hashes in the ways the verifier tests probe. */
import type { Hex } from "viem";

/** `hash` with bit `bit` of byte `byteIndex` flipped. */
export function flipBit(hash: Hex, byteIndex = 0, bit = 3): Hex {
  const position = 2 + 2 * byteIndex;
  const byte = Number.parseInt(hash.slice(position, position + 2), 16) ^ (1 << bit);
  return `${hash.slice(0, position)}${byte.toString(16).padStart(2, "0")}${hash.slice(position + 2)}` as Hex;
}

/** Every copy of `proof` with one bit flipped in one element, for a few bytes of each. */
export function bitFlippedProofs(proof: readonly Hex[]): Hex[][] {
  const out: Hex[][] = [];
  proof.forEach((hash, i) => {
    for (const byteIndex of [0, 17, 31]) {
      const copy = [...proof];
      copy[i] = flipBit(hash, byteIndex, byteIndex % 8);
      out.push(copy);
    }
  });
  return out;
}

export const someHash: Hex = "0xabacaba000000000000000000000000000000000000000000060061e00123456";
export const zeroHash: Hex = `0x${"00".repeat(32)}`;
