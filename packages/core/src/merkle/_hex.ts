/**
 * Hex codec for 32-byte hashes, internal to the Merkle module. The tree code works on
 * packed `Uint8Array`s and converts at its boundary, so these run once per leaf on
 * million-leaf trees: table lookups, no regular expressions, no intermediate arrays.
 */
import type { Hex } from "viem";

export const HASH_SIZE = 32;

const byteToHex: readonly string[] = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"));

// Maps a char code to its nibble value, or 255 for anything that is not a hex digit.
const nibbleOf = new Uint8Array(128).fill(255);
for (let digit = 0; digit < 10; digit++) nibbleOf[48 + digit] = digit;
for (let letter = 0; letter < 6; letter++) {
  nibbleOf[65 + letter] = 10 + letter; // A–F
  nibbleOf[97 + letter] = 10 + letter; // a–f
}

/** Lower-case 0x hex of `length` bytes of `bytes` starting at `offset`. */
export function bytesToHex(bytes: Uint8Array, offset = 0, length = bytes.length - offset): Hex {
  let out = "0x";
  for (let i = offset; i < offset + length; i++) out += byteToHex[bytes[i] as number];
  return out as Hex;
}

/**
 * Decodes a 0x-prefixed, 64-digit hex string (either case) into `out` at `offset`.
 * Returns false, leaving `out` partly written, if `value` is anything else.
 */
export function decodeHash32Into(value: unknown, out: Uint8Array, offset: number): boolean {
  if (typeof value !== "string" || value.length !== 2 + 2 * HASH_SIZE) return false;
  if (value.charCodeAt(0) !== 48 || value.charCodeAt(1) !== 120) return false; // "0x"
  for (let i = 0; i < HASH_SIZE; i++) {
    const high = value.charCodeAt(2 + 2 * i);
    const low = value.charCodeAt(3 + 2 * i);
    const h = high < 128 ? (nibbleOf[high] as number) : 255;
    const l = low < 128 ? (nibbleOf[low] as number) : 255;
    if (h === 255 || l === 255) return false;
    out[offset + i] = (h << 4) | l;
  }
  return true;
}

/** A 32-byte hash given as hex or bytes, copied into a fresh array; undefined if malformed. */
export function toHash32(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) {
    return value.length === HASH_SIZE ? value.slice() : undefined;
  }
  const out = new Uint8Array(HASH_SIZE);
  return decodeHash32Into(value, out, 0) ? out : undefined;
}
