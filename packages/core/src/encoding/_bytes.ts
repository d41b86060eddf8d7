/** Big-endian packed byte writing and reading, shared by encodeLeaf and decodeLeaf. */
import { bytesToHex, getAddress, type Hex, hexToBytes } from "viem";
import { CoreError } from "../errors.ts";
import type { FieldType } from "./schemas.ts";

const textEncoder = new TextEncoder();
/** Not fatal, and a leading byte-order mark is kept as a character (decodeText). */
const textDecoder = new TextDecoder("utf-8", { ignoreBOM: true });

/**
 * A text field (string16) as readers show it. The contracts take any bytes for a name, so a leaf
 * that is on the chain may hold bytes that are not UTF-8, or a NUL, which PostgreSQL can store
 * neither in text nor in JSON: a reader that refused such a leaf would stop at it for good. So each
 * ill-formed sequence decodes to U+FFFD (as the WHATWG decoder replaces it), and so does each NUL.
 * Nothing is lost: the leaf keeps the exact bytes, and proofs hash the leaf, not the text.
 */
export function decodeText(bytes: Uint8Array): string {
  const text = textDecoder.decode(bytes);
  return text.includes("\u0000") ? text.replaceAll("\u0000", "\uFFFD") : text;
}

const UINT_BYTES = { u8: 1, u16: 2, u32: 4, u64: 8, u128: 16 } as const;

export class LeafEncodingError extends CoreError {
  override name = "LeafEncodingError";
}

export function createWriter() {
  const parts: Uint8Array[] = [];
  let length = 0;
  const push = (bytes: Uint8Array) => {
    parts.push(bytes);
    length += bytes.length;
  };
  const uint = (value: bigint | number, size: number, field: string) => {
    let v = BigInt(value);
    if (v < 0n || v >> BigInt(size * 8) !== 0n) {
      throw new LeafEncodingError(`${field}: ${value} does not fit in ${size * 8} bits.`);
    }
    const out = new Uint8Array(size);
    for (let i = size - 1; i >= 0; i--) {
      out[i] = Number(v & 0xffn);
      v >>= 8n;
    }
    push(out);
  };
  const fixed = (hex: Hex, size: number, field: string) => {
    const bytes = hexToBytes(hex);
    if (bytes.length !== size) throw new LeafEncodingError(`${field}: expected ${size} bytes, got ${bytes.length}.`);
    push(bytes);
  };
  const ascii = (text: string, size: number, field: string) => {
    if (text.length !== size || !/^[\x20-\x7e]*$/.test(text)) {
      throw new LeafEncodingError(
        `${field}: expected ${size} printable ASCII characters, got ${JSON.stringify(text)}.`,
      );
    }
    push(textEncoder.encode(text));
  };
  return {
    uint,
    fixed,
    field(type: FieldType, value: unknown, name: string) {
      switch (type) {
        case "u8":
        case "u16":
        case "u32":
        case "u64":
        case "u128":
          return uint(value as bigint | number, UINT_BYTES[type], name);
        case "bool":
          return uint(value ? 1 : 0, 1, name);
        case "address":
          return fixed(value as Hex, 20, name);
        case "bytes3":
          return ascii(value as string, 3, name);
        case "bytes18":
          return ascii(value as string, 18, name);
        case "bytes32":
          return fixed(value as Hex, 32, name);
        case "bytes32[]": {
          const items = value as Hex[];
          uint(items.length, 1, `${name}.length`);
          items.forEach((item, i) => {
            fixed(item, 32, `${name}[${i}]`);
          });
          return;
        }
        case "string16": {
          const bytes = textEncoder.encode(value as string);
          uint(bytes.length, 2, `${name}.length`);
          return push(bytes);
        }
      }
    },
    finish(): Uint8Array {
      const out = new Uint8Array(length);
      let offset = 0;
      for (const part of parts) {
        out.set(part, offset);
        offset += part.length;
      }
      return out;
    },
  };
}

export function createReader(data: Uint8Array) {
  let offset = 0;
  const take = (size: number, field: string): Uint8Array => {
    if (offset + size > data.length) {
      throw new LeafEncodingError(
        `Leaf is truncated: ${field} needs ${size} bytes at offset ${offset}, leaf has ${data.length}.`,
      );
    }
    const out = data.subarray(offset, offset + size);
    offset += size;
    return out;
  };
  const bigUint = (size: number, field: string): bigint => {
    let v = 0n;
    for (const b of take(size, field)) v = (v << 8n) | BigInt(b);
    return v;
  };
  const ascii = (size: number, field: string) => String.fromCharCode(...take(size, field));
  return {
    get offset() {
      return offset;
    },
    remaining: () => data.length - offset,
    bigUint,
    smallUint: (size: number, field: string) => Number(bigUint(size, field)),
    hex: (size: number, field: string): Hex => bytesToHex(take(size, field)),
    address: (field: string) => getAddress(bytesToHex(take(20, field))),
    field(type: FieldType, name: string): unknown {
      switch (type) {
        case "u8":
        case "u16":
        case "u32":
          return Number(bigUint(UINT_BYTES[type], name));
        case "u64":
        case "u128":
          return bigUint(UINT_BYTES[type], name);
        case "bool": {
          const b = Number(bigUint(1, name));
          if (b > 1) throw new LeafEncodingError(`${name}: a bool must be 0 or 1, got ${b}.`);
          return b === 1;
        }
        case "address":
          return getAddress(bytesToHex(take(20, name)));
        case "bytes3":
          return ascii(3, name);
        case "bytes18":
          return ascii(18, name);
        case "bytes32":
          return bytesToHex(take(32, name));
        case "bytes32[]": {
          const n = Number(bigUint(1, `${name}.length`));
          return Array.from({ length: n }, (_, i) => bytesToHex(take(32, `${name}[${i}]`)));
        }
        case "string16":
          return decodeText(take(Number(bigUint(2, `${name}.length`)), name));
      }
    },
  };
}
