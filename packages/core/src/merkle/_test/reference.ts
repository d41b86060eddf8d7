/**
 * A deliberately naive RFC 9162 Merkle tree for tests: MTH, PATH and SUBPROOF written
 * straight from the definitions in §2.1.1, §2.1.3.1 and §2.1.4.1, recursive, with
 * `node:crypto` for SHA-256. It shares no code with the implementation it checks, so
 * the two agreeing means something. It copies arrays at every step: small trees only.
 */
import { createHash } from "node:crypto";

const sha256 = (...parts: Uint8Array[]): Uint8Array => {
  const hash = createHash("sha256");
  for (const part of parts) hash.update(part);
  return new Uint8Array(hash.digest());
};

export const toHex = (bytes: Uint8Array): `0x${string}` => `0x${Buffer.from(bytes).toString("hex")}`;

/** The largest power of two smaller than n, found the slow way. */
const largestPowerOfTwoBelow = (n: number): number => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};

/** MTH(D[n]) */
export function referenceRoot(leaves: readonly Uint8Array[]): Uint8Array {
  const n = leaves.length;
  if (n === 0) return sha256();
  if (n === 1) return sha256(Uint8Array.of(0), leaves[0] as Uint8Array);
  const k = largestPowerOfTwoBelow(n);
  return sha256(Uint8Array.of(1), referenceRoot(leaves.slice(0, k)), referenceRoot(leaves.slice(k)));
}

/** PATH(m, D[n]) */
export function referencePath(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  const n = leaves.length;
  if (n === 1) return [];
  const k = largestPowerOfTwoBelow(n);
  if (m < k) return [...referencePath(m, leaves.slice(0, k)), referenceRoot(leaves.slice(k))];
  return [...referencePath(m - k, leaves.slice(k)), referenceRoot(leaves.slice(0, k))];
}

/** SUBPROOF(m, D[n], b) */
function subproof(m: number, leaves: readonly Uint8Array[], b: boolean): Uint8Array[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [referenceRoot(leaves)];
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) return [...subproof(m, leaves.slice(0, k), b), referenceRoot(leaves.slice(k))];
  return [...subproof(m - k, leaves.slice(k), false), referenceRoot(leaves.slice(0, k))];
}

/** PROOF(m, D[n]) */
export function referenceConsistency(m: number, leaves: readonly Uint8Array[]): Uint8Array[] {
  return subproof(m, leaves, true);
}

/** n distinct leaves of varying length (the UTF-8 of "leaf <salt>/<i>"). */
export function makeLeaves(n: number, salt = 0): Uint8Array[] {
  const encoder = new TextEncoder();
  return Array.from({ length: n }, (_, i) => encoder.encode(`leaf ${salt}/${i}`));
}
