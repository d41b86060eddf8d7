/**
 * What the chain itself says, read over JSON-RPC from the fixture's anvil, for the ledger routes'
 * tests to compare the API's answers with: every EntryAppended log, and size(), root() and
 * streamHead() at a block. Nothing here reads the API's store.
 */
import { transparencyLogAbi } from "@shanji/core";
import { type Hex, hexToBytes } from "viem";
import type { ApiFixture } from "../../../_test/apiFixture.ts";

export type ChainEntry = { index: bigint; leaf: Hex; blockNumber: bigint; txHash: Hex; logIndex: number };

/** Every entry the log emitted up to `toBlock`, in index order. */
export async function chainEntries(f: ApiFixture, toBlock?: bigint): Promise<ChainEntry[]> {
  const events = await f.client.getContractEvents({
    address: f.deployment.addresses.log,
    abi: transparencyLogAbi,
    eventName: "EntryAppended",
    fromBlock: BigInt(f.deployment.deployBlock),
    toBlock: toBlock ?? (await f.client.getBlockNumber({ cacheTime: 0 })),
    strict: true,
  });
  const entries = events.map((e) => ({
    index: e.args.index,
    leaf: e.args.leaf,
    blockNumber: e.blockNumber,
    txHash: e.transactionHash,
    logIndex: e.logIndex,
  }));
  entries.sort((a, b) => (a.index < b.index ? -1 : 1));
  entries.forEach((e, i) => {
    if (e.index !== BigInt(i)) throw new Error(`the chain's log skips entry ${i}`);
  });
  return entries;
}

export const leafBytes = (entries: readonly ChainEntry[], size: bigint) =>
  entries.slice(0, Number(size)).map((e) => hexToBytes(e.leaf));

/** size() and root() of the log at the end of `blockNumber`, by eth_call at that block. */
export async function logAt(f: ApiFixture, blockNumber: bigint): Promise<{ size: bigint; root: Hex }> {
  const address = f.deployment.addresses.log;
  const [size, root] = await Promise.all([
    f.client.readContract({ address, abi: transparencyLogAbi, functionName: "size", blockNumber }),
    f.client.readContract({ address, abi: transparencyLogAbi, functionName: "root", blockNumber }),
  ]);
  return { size: BigInt(size), root };
}

/** streamHead(id) at the end of `blockNumber`. */
export async function streamHeadAt(f: ApiFixture, id: Hex, blockNumber: bigint) {
  const head = await f.client.readContract({
    address: f.deployment.addresses.log,
    abi: transparencyLogAbi,
    functionName: "streamHead",
    args: [id],
    blockNumber,
  });
  return { count: BigInt(head.count), lastIndex: BigInt(head.lastIndex), lastLeafHash16: head.lastLeafHash };
}
