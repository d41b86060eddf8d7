/**
 * The regulator's checks of the API's answers: every entry, history and checkpoint the API serves
 * is checked against size(), root() and streamHead() read from the chain's own RPC at the block the
 * answer names — never against anything else the API says.
 */
import { createHash } from "node:crypto";
import { decodeLeaf, verifyConsistency, verifyInclusion } from "@shanji/core";
import type { Hex } from "viem";
import type { ChainConnection } from "../common/deployment.ts";
import type { Output } from "../common/output.ts";
import type { ApiCheckpoint, ApiConsistency, ApiEntry, ApiGet, ApiHistory, ApiProof } from "./apiClient.ts";
import { createChainState } from "./chainState.ts";
import { type CheckList, createCheckList } from "./checkList.ts";
import { reduceInPlace } from "./merkleChunks.ts";

type Trusted = (block: string) => Promise<{ size: bigint; root: Hex }>;

function trustedRoots(c: ChainConnection): Trusted {
  const state = createChainState(c);
  const cache = new Map<string, Promise<{ size: bigint; root: Hex }>>();
  return (block) => {
    let value = cache.get(block);
    if (!value) {
      const b = BigInt(block);
      value = Promise.all([state.size(b), state.root(b)]).then(([size, root]) => ({
        size,
        root: root.toLowerCase() as Hex,
      }));
      cache.set(block, value);
    }
    return value;
  };
}

export function leafHashOf(leaf: Uint8Array): Uint8Array {
  return createHash("sha256").update(Uint8Array.of(0)).update(leaf).digest();
}

const hex = (bytes: Uint8Array): Hex => `0x${Buffer.from(bytes).toString("hex")}`;
const isHex = (value: unknown): value is string => typeof value === "string" && /^0x([0-9a-fA-F]{2})*$/.test(value);

/**
 * Checks one served entry: its leaf is entry `index`, hashes to what it claims, and proves into
 * the root the chain reported at the proof's block. Returns the leaf hash when all is well.
 */
async function checkServedEntry(
  list: CheckList,
  trusted: Trusted,
  index: bigint,
  served: { index: string; leaf: string; leafHash?: string | undefined; proof: ApiProof },
  expect?: { treeSize: bigint; root: Hex },
): Promise<Uint8Array | undefined> {
  const fail = (detail: string) => {
    list.fail(`entry ${index}`, detail, index);
    return undefined;
  };
  if (String(served.index) !== String(index))
    return fail(`the API served entry ${served.index} when asked for entry ${index}`);
  if (!isHex(served.leaf)) return fail("the API's leaf is not hex");
  const leaf = Buffer.from(served.leaf.slice(2), "hex");
  try {
    const decoded = decodeLeaf(leaf);
    if (decoded.index !== index) return fail(`the leaf the API served says it is entry ${decoded.index}`);
  } catch (error) {
    return fail(`the leaf the API served does not decode: ${(error as Error).message}`);
  }
  const hash = leafHashOf(leaf);
  if (served.leafHash !== undefined && served.leafHash.toLowerCase() !== hex(hash)) {
    return fail(`the leaf hashes to ${hex(hash)}, not to the leafHash the API states (${served.leafHash})`);
  }
  const proof = served.proof;
  if (!proof || String(proof.index) !== String(index) || !Array.isArray(proof.inclusion))
    return fail("the API's proof is missing or for another index");
  if (expect && (BigInt(proof.treeSize) !== expect.treeSize || proof.root.toLowerCase() !== expect.root)) {
    return fail(
      `the proof is for a tree of ${proof.treeSize} entries with root ${proof.root}, not the checkpoint's ${expect.treeSize} / ${expect.root}`,
    );
  }
  const chain = await trusted(proof.blockNumber);
  if (chain.size !== BigInt(proof.treeSize) || chain.root !== proof.root.toLowerCase()) {
    return fail(
      `the proof's tree (${proof.treeSize} entries, root ${proof.root}) is not the chain's at block ${proof.blockNumber} (${chain.size} entries, root ${chain.root})`,
    );
  }
  if (
    !verifyInclusion({
      index,
      treeSize: chain.size,
      leafHash: hex(hash),
      proof: proof.inclusion as Hex[],
      root: chain.root,
    })
  ) {
    return fail(
      `the leaf the API served does not prove into the chain's root at block ${proof.blockNumber}: it is not the ledger's entry ${index}`,
    );
  }
  return hash;
}

export async function verifyEntryViaApi(c: ChainConnection, api: ApiGet, index: bigint) {
  const list = createCheckList();
  const served = await api<ApiEntry>(`/v1/entries/${index}`, { allow404: true });
  if (!served) {
    list.fail(`entry ${index}`, `the API does not serve entry ${index}`, index);
    return { list, entry: undefined };
  }
  const hash = await checkServedEntry(list, trustedRoots(c), index, served);
  if (hash)
    list.pass(
      `entry ${index}`,
      `proves into root() at block ${served.proof.blockNumber} (${served.proof.treeSize} entries)`,
    );
  return { list, entry: hash ? decodeLeaf(served.leaf as Hex) : undefined };
}

export async function verifyHistoryViaApi(c: ChainConnection, api: ApiGet, stream: Hex, out?: Output) {
  const list = createCheckList();
  const items = new Map<string, ApiHistory["items"][number]>();
  let first: ApiHistory | undefined;
  let cursor: string | null = null;
  for (let page = 0; page < 1_000_000; page++) {
    const answer: ApiHistory | undefined = await api<ApiHistory>(
      `/v1/streams/${stream}/history?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
    );
    if (!answer) break;
    first ??= answer;
    for (const item of answer.items) items.set(String(item.index), item);
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  if (!first) {
    list.fail("history", "the API gave no answer");
    return { list, entries: 0 };
  }
  const head = first.head;
  const block = BigInt(head.blockNumber);
  const state = createChainState(c);
  const [chainHead, size, root] = await Promise.all([
    state.streamHead(stream, block),
    state.size(block),
    state.root(block),
  ]);
  if (size !== BigInt(head.treeSize) || root.toLowerCase() !== head.root.toLowerCase()) {
    list.fail(
      "checkpoint",
      `the API's head names a tree of ${head.treeSize} entries with root ${head.root}; the chain's at block ${block} has ${size} entries, root ${root}`,
    );
  }
  if (
    chainHead.count !== BigInt(head.count) ||
    (chainHead.count > 0n &&
      (chainHead.lastIndex !== BigInt(head.lastIndex) ||
        chainHead.lastLeafHash16 !== head.lastLeafHash16.toLowerCase()))
  ) {
    list.fail(
      "stream head",
      `the API says the stream has ${head.count} entries, the last ${head.lastIndex}; the chain says ${chainHead.count}, the last ${chainHead.lastIndex} (at block ${block})`,
      chainHead.count > 0n ? chainHead.lastIndex : undefined,
    );
  } else
    list.pass(
      "stream head",
      `${chainHead.count} entries, the last ${chainHead.lastIndex}, as the chain says at block ${block}`,
    );

  // Walk the back-pointers from the chain's head down to the first entry.
  const trusted = trustedRoots(c);
  const visited = new Set<string>();
  let next: bigint | null = chainHead.count > 0n ? chainHead.lastIndex : null;
  let walked = 0;
  const bar = out?.progress("checking the history", Number(chainHead.count));
  while (next !== null) {
    const index: bigint = next;
    const item = items.get(String(index));
    if (!item) {
      list.fail(
        `entry ${index}`,
        `entry ${index} of the stream is missing from the API's history (the back-pointers on chain lead to it)`,
        index,
      );
      break;
    }
    visited.add(String(index));
    const hash = await checkServedEntry(list, trusted, index, item);
    if (!hash) break;
    if (walked === 0 && hex(hash.subarray(0, 16)) !== chainHead.lastLeafHash16) {
      list.fail(`entry ${index}`, "the stream's last entry does not hash to the head the chain keeps", index);
      break;
    }
    const own = decodeLeaf(item.leaf as Hex).streams.find((s) => s.id.toLowerCase() === stream.toLowerCase());
    if (!own) {
      list.fail(`entry ${index}`, `entry ${index} does not belong to stream ${stream}`, index);
      break;
    }
    if (String(own.prevIndex) !== String(item.prevIndex)) {
      list.fail(
        `entry ${index}`,
        `the API says entry ${index} follows ${item.prevIndex}; its leaf says ${own.prevIndex}`,
        index,
      );
    }
    walked += 1;
    bar?.tick();
    next = own.prevIndex;
  }
  bar?.done();
  if (list.firstBadIndex === null) {
    if (BigInt(walked) === chainHead.count && next === null)
      list.pass("history", `complete: ${walked} entries, each proven into root() at its block`);
    else
      list.fail("history", `the back-pointers lead through ${walked} entries, but the chain counts ${chainHead.count}`);
  }
  const extra = [...items.keys()].filter(
    (k) => !visited.has(k) && BigInt(k) <= (chainHead.count > 0n ? chainHead.lastIndex : -1n),
  );
  if (extra.length > 0 && list.firstBadIndex === null) {
    list.fail(
      "history",
      `the API lists entries that are not in the stream's chain of back-pointers: ${extra.slice(0, 5).join(", ")}`,
      BigInt(extra[0] as string),
    );
  }
  return { list, entries: walked };
}

function checkCheckpointText(list: CheckList, c: ChainConnection, cp: ApiCheckpoint): void {
  const origin = `shanji.ledger/${c.deployment.chainId}/${c.deployment.addresses.log.toLowerCase()}`;
  const root64 = Buffer.from(cp.root.slice(2), "hex").toString("base64");
  const expected = `${origin}\n${cp.size}\n${root64}\n`;
  if (!cp.checkpoint?.startsWith(expected)) {
    list.fail(`checkpoint ${cp.size}`, `the checkpoint note does not say "${expected.replaceAll("\n", "\\n")}"`);
  }
}

export async function verifyConsistencyViaApi(c: ChainConnection, api: ApiGet, from: bigint, to: bigint) {
  const list = createCheckList();
  const proof = await api<ApiConsistency>(`/v1/proofs/consistency?from=${from}&to=${to}`);
  if (!proof) throw new Error("unreachable");
  const state = createChainState(c);
  const sides = [
    { name: "from", size: from, served: proof.from, root: proof.fromRoot, block: proof.fromBlock },
    { name: "to", size: to, served: proof.to, root: proof.toRoot, block: proof.toBlock },
  ] as const;
  for (const side of sides) {
    if (String(side.served) !== String(side.size)) {
      list.fail(`${side.name} size`, `the API answered for size ${side.served}, not ${side.size}`);
      continue;
    }
    if (side.block === null || side.block === undefined) {
      list.fail(
        `root at ${side.size}`,
        `the API names no block where the chain's log had ${side.size} entries, so its root cannot be checked against the chain`,
      );
      continue;
    }
    const b = BigInt(side.block);
    const [size, root] = await Promise.all([state.size(b), state.root(b)]);
    if (size !== side.size || root.toLowerCase() !== side.root.toLowerCase()) {
      list.fail(
        `root at ${side.size}`,
        `the API's root ${side.root} for ${side.size} entries is not the chain's at block ${b} (${size} entries, root ${root})`,
      );
    } else list.pass(`root at ${side.size}`, `matches root() at block ${b}`);
    const cp = await api<ApiCheckpoint>(`/v1/checkpoints/${side.size}`, { allow404: true });
    if (!cp) list.fail(`checkpoint ${side.size}`, `the API serves no checkpoint of size ${side.size}`);
    else {
      if (cp.root.toLowerCase() !== root.toLowerCase() || String(cp.size) !== String(side.size)) {
        list.fail(
          `checkpoint ${side.size}`,
          `the API's checkpoint of size ${cp.size} has root ${cp.root}; the chain's root at ${side.size} entries is ${root}`,
        );
      } else {
        checkCheckpointText(list, c, cp);
        if (list.checks.every((x) => x.check !== `checkpoint ${side.size}`))
          list.pass(`checkpoint ${side.size}`, "agrees with the chain");
      }
    }
  }
  if (
    verifyConsistency({
      oldSize: from,
      newSize: to,
      oldRoot: proof.fromRoot as Hex,
      newRoot: proof.toRoot as Hex,
      proof: (proof.proof ?? []) as Hex[],
    })
  ) {
    list.pass("consistency", `the tree of ${to} entries extends the tree of ${from} entries, appending only`);
  } else {
    list.fail(
      "consistency",
      `the consistency proof does not show the tree of ${to} entries extending the tree of ${from}`,
    );
  }
  return { list, proof };
}

export async function verifyLedgerViaApi(c: ChainConnection, api: ApiGet, out?: Output, concurrency = 8) {
  const list = createCheckList();
  const cp = await api<ApiCheckpoint>("/v1/checkpoints/latest");
  if (!cp) throw new Error("unreachable");
  if (cp.blockNumber === null) {
    list.fail("checkpoint", "the API's latest checkpoint names no block, so it cannot be checked against the chain");
    return { list, size: BigInt(cp.size) };
  }
  const state = createChainState(c);
  const block = BigInt(cp.blockNumber);
  const [size, rootRaw] = await Promise.all([state.size(block), state.root(block)]);
  const root = rootRaw.toLowerCase() as Hex;
  if (size !== BigInt(cp.size) || root !== cp.root.toLowerCase()) {
    list.fail(
      "checkpoint",
      `the API's latest checkpoint (${cp.size} entries, root ${cp.root}) is not the chain's at block ${block} (${size} entries, root ${root})`,
    );
    return { list, size };
  }
  checkCheckpointText(list, c, cp);
  list.pass("checkpoint", `${size} entries, root ${root}, as root() says at block ${block}`);

  const n = Number(size);
  const hashes = new Uint8Array(32 * Math.max(1, n));
  const trusted = trustedRoots(c);
  const bar = out?.progress("checking entries", n);
  let next = 0;
  let bad = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= n) return;
      const served = await api<ApiEntry>(`/v1/entries/${i}?treeSize=${n}`, { allow404: true });
      if (!served) {
        list.fail(`entry ${i}`, `the API does not serve entry ${i} of the ${n}`, i);
        bad += 1;
      } else {
        const hash = await checkServedEntry(list, trusted, BigInt(i), served, { treeSize: size, root });
        if (hash) hashes.set(hash, 32 * i);
        else bad += 1;
      }
      bar?.tick();
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  bar?.done();
  if (bad === 0) {
    reduceInPlace(hashes, n);
    const computed = hex(hashes.subarray(0, 32));
    if (n > 0 && computed === root) list.pass("root", `the ${n} leaves the API serves recompute the chain's root`);
    else if (n > 0)
      list.fail("root", `the ${n} leaves the API serves recompute ${computed}, not the chain's root ${root}`);
  }
  // Keep the report short: the first failures in index order.
  list.checks.sort((a, b) => Number(a.ok) - Number(b.ok));
  return { list, size };
}
