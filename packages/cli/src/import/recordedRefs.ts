/**
 * Which of an organisation's external references are already on the ledger: a record's stream
 * (recordStream(orgId, ref)) has a head on the log as soon as the record is written, so a non-zero
 * count means "recorded" (the record itself, or the record and its reversal). Thousands of rows
 * are checked in JSON-RPC batches of eth_call.
 */
import { keccak_256 } from "@noble/hashes/sha3.js";
import { streamKind } from "@shanji/core";
import { type Address, type Hex, toFunctionSelector } from "viem";
import { ethCallBatch } from "../common/rpcBatch.ts";

const STREAM_HEAD = toFunctionSelector("streamHead(bytes32)");

/**
 * recordStream of @shanji/core — keccak256(u8 record ‖ keccak256(u64 orgId ‖ bytes32 ref)) — on
 * bytes rather than hex strings: the import computes it for every row, and this is several times
 * faster. A test keeps the two equal.
 */
export function recordStreamFast(orgId: bigint, ref: Hex): Hex {
  const inner = new Uint8Array(40);
  new DataView(inner.buffer).setBigUint64(0, orgId);
  inner.set(Buffer.from(ref.slice(2), "hex"), 8);
  const outer = new Uint8Array(33);
  outer[0] = streamKind.record;
  outer.set(keccak_256(inner), 1);
  return `0x${Buffer.from(keccak_256(outer)).toString("hex")}`;
}

export async function recordedRefs(p: {
  rpcUrl: string;
  log: Address;
  orgId: bigint;
  refs: readonly Hex[];
  block?: bigint;
}): Promise<Set<Hex>> {
  const calls = p.refs.map((ref) => ({
    to: p.log,
    data: `${STREAM_HEAD}${recordStreamFast(p.orgId, ref).slice(2)}` as Hex,
  }));
  const answers = await ethCallBatch(p.rpcUrl, calls, p.block === undefined ? {} : { block: p.block });
  const recorded = new Set<Hex>();
  answers.forEach((answer, i) => {
    // The head's first word is `count`.
    if (BigInt(answer.slice(0, 66)) > 0n) recorded.add(p.refs[i] as Hex);
  });
  return recorded;
}
