/**
 * Signs a transaction and returns it serialized, as viem's `account.signTransaction` does, for the
 * import's large transactions: a batch of 200 donations is ~60 KB of calldata, and viem's
 * serializer goes through hex strings (RLP of hex, then hex to bytes again for keccak-256),
 * ~17 ms of this process's CPU per batch. Here the RLP is built on bytes, hashed once with
 * @noble/hashes' keccak-256, and only the finished transaction is turned into hex: ~6 ms.
 * The key never leaves the account: only the 32-byte hash is given to `account.sign`.
 *
 * Types: EIP-1559 (type 2, no access list) and legacy with EIP-155 replay protection, the two that
 * the sender uses. signRawTransaction.test.ts checks the output byte for byte against viem's.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import type { Address, Hex } from "viem";

export type SignRawTransactionParameters = {
  /** Signs a 32-byte hash (viem's LocalAccount.sign): a 65-byte r ‖ s ‖ v signature in hex. */
  account: { sign: (p: { hash: Hex }) => Promise<Hex> };
  chainId: number;
  nonce: number;
  gas: bigint;
  to: Address;
  data: Hex;
  fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint };
};

export async function signRawTransaction(p: SignRawTransactionParameters): Promise<Hex> {
  const nonce = rlpInteger(p.nonce);
  const rest = [rlpInteger(p.gas), rlpBytes(hexBytes(p.to)), rlpInteger(0), rlpBytes(hexBytes(p.data))];
  const sign = async (unsigned: Uint8Array) => {
    const signature = hexBytes(await p.account.sign({ hash: toHex(keccak_256(unsigned)) }));
    const v = signature[64] as number;
    return {
      yParity: v >= 27 ? v - 27 : v,
      r: rlpBytes(trim(signature.subarray(0, 32))),
      s: rlpBytes(trim(signature.subarray(32, 64))),
    };
  };
  if ("gasPrice" in p.fees) {
    const fields = [nonce, rlpInteger(p.fees.gasPrice), ...rest];
    // EIP-155: the chain id and two zeros take the signature's place in what is signed.
    const { yParity, r, s } = await sign(rlpList([...fields, rlpInteger(p.chainId), rlpInteger(0), rlpInteger(0)]));
    return toHex(rlpList([...fields, rlpInteger(p.chainId * 2 + 35 + yParity), r, s]));
  }
  const fields = [
    rlpInteger(p.chainId),
    nonce,
    rlpInteger(p.fees.maxPriorityFeePerGas),
    rlpInteger(p.fees.maxFeePerGas),
    ...rest,
    rlpList([]), // no access list
  ];
  const { yParity, r, s } = await sign(typed(2, rlpList(fields)));
  return toHex(typed(2, rlpList([...fields, rlpInteger(yParity), r, s])));
}

function toHex(bytes: Uint8Array): Hex {
  return `0x${Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString("hex")}`;
}

function hexBytes(hex: Hex): Uint8Array {
  return Buffer.from(hex.slice(2), "hex");
}

function typed(type: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(1 + payload.length);
  out[0] = type;
  out.set(payload, 1);
  return out;
}

/** Leading zero bytes dropped: RLP integers and signature values are minimal big-endian. */
function trim(bytes: Uint8Array): Uint8Array {
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  return bytes.subarray(i);
}

function rlpInteger(value: number | bigint): Uint8Array {
  let hex = BigInt(value).toString(16);
  if (hex === "0") return rlpBytes(new Uint8Array(0));
  if (hex.length % 2 === 1) hex = `0${hex}`;
  return rlpBytes(Buffer.from(hex, "hex"));
}

function rlpBytes(bytes: Uint8Array): Uint8Array {
  if (bytes.length === 1 && (bytes[0] as number) < 0x80) return bytes;
  return withPrefix(0x80, 0xb7, [bytes]);
}

function rlpList(items: Uint8Array[]): Uint8Array {
  return withPrefix(0xc0, 0xf7, items);
}

/** RLP's length prefix: short (< 56 bytes) as one byte, long as the length's own length then the length. */
function withPrefix(short: number, long: number, parts: Uint8Array[]): Uint8Array {
  const length = parts.reduce((n, part) => n + part.length, 0);
  let prefix: Uint8Array;
  if (length < 56) prefix = Uint8Array.of(short + length);
  else {
    let hex = length.toString(16);
    if (hex.length % 2 === 1) hex = `0${hex}`;
    const size = Buffer.from(hex, "hex");
    prefix = new Uint8Array(1 + size.length);
    prefix[0] = long + size.length;
    prefix.set(size, 1);
  }
  const out = new Uint8Array(prefix.length + length);
  out.set(prefix);
  let offset = prefix.length;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
