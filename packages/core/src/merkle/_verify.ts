/**
 * Input checks shared by the two proof verifiers, which must answer false (never throw)
 * for anything a hostile or broken server could send them.
 */
import { decodeHash32Into, HASH_SIZE } from "./_hex.ts";

// RFC 9162 tree sizes and indices are uint64.
const MAX_UINT64 = 2n ** 64n - 1n;

// A tree of at most 2^64 leaves is 64 levels deep: an inclusion proof has a hash per
// level, a consistency proof at most one more. Longer arrays are rejected before any
// work is done on them.
export const MAX_INCLUSION_PROOF_LENGTH = 64;
export const MAX_CONSISTENCY_PROOF_LENGTH = 65;

/** A tree size or index as a bigint, or undefined unless it is an integer in uint64 range. */
export function toUint64(value: unknown): bigint | undefined {
  if (typeof value === "bigint") return value >= 0n && value <= MAX_UINT64 ? value : undefined;
  if (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  return undefined;
}

/** Decodes a proof (an array of 32-byte hex hashes), or undefined if it is malformed. */
export function decodeProof(proof: unknown, maxLength: number): Uint8Array[] | undefined {
  if (!Array.isArray(proof) || proof.length > maxLength) return undefined;
  const hashes: Uint8Array[] = [];
  for (const item of proof) {
    const hash = new Uint8Array(HASH_SIZE);
    if (!decodeHash32Into(item, hash, 0)) return undefined;
    hashes.push(hash);
  }
  return hashes;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
