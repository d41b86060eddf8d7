/**
 * `shanji verify ledger --from-chain`: the whole ledger from the chain's logs alone. Every leaf is
 * taken from its EntryAppended log, checked (contiguous indexes, header, back-pointers) and hashed,
 * and the recomputed root must equal root() read from the RPC at the same block, with as many
 * entries as size() says. When the root differs and no leaf is visibly broken, the first bad entry
 * is searched for: the first block whose root() the leaves do not reproduce (bisected, where the
 * node serves old states), then within it the first entry that disagrees with its stream heads.
 */
import type { Hex } from "viem";
import type { ChainConnection } from "../common/deployment.ts";
import type { Output } from "../common/output.ts";
import { createChainState } from "./chainState.ts";
import { fetchLedgerLogs, type LedgerLeaves } from "./fetchLedgerLogs.ts";
import { prefixRoots } from "./merkleChunks.ts";
import { type RecomputeReturnType, recomputeLedger } from "./recomputeLedger.ts";

export type VerifyLedgerFromChainParameters = {
  connection: ChainConnection;
  out?: Output;
  /** The block to verify at (default: the chain's head when the command starts). */
  block?: bigint;
  decode?: boolean;
  watchStream?: Hex;
  threads?: number;
};

export type VerifyLedgerFromChainReturnType = {
  ok: boolean;
  block: bigint;
  size: bigint;
  chainRoot: Hex;
  computedRoot: Hex;
  entries: number;
  firstBadIndex: number | null;
  problem: string | null;
  fetchSeconds: number;
  recomputeSeconds: number;
  recomputeCpuSeconds: number;
  threads: number;
  leaves: LedgerLeaves;
  recomputed: RecomputeReturnType;
};

export async function verifyLedgerFromChain(
  p: VerifyLedgerFromChainParameters,
): Promise<VerifyLedgerFromChainReturnType> {
  const state = createChainState(p.connection);
  const block = p.block ?? (await state.head());
  const [size, chainRoot] = await Promise.all([state.size(block), state.root(block)]);
  const bar = p.out?.progress("fetching the chain's logs", Number(size));
  const leaves = await fetchLedgerLogs(p.connection, block, bar);
  bar?.done(`fetched ${leaves.count.toLocaleString("en")} entries in ${leaves.seconds.toFixed(1)} s`);
  p.out?.note(`recomputing ${leaves.count.toLocaleString("en")} leaf hashes and the root ...`);
  const recomputed = await recomputeLedger({
    count: leaves.count,
    data: leaves.data,
    offsets: leaves.offsets,
    decode: p.decode ?? false,
    watchStream: p.watchStream,
    ...(p.threads === undefined ? {} : { threads: p.threads }),
  });
  const result: VerifyLedgerFromChainReturnType = {
    ok: false,
    block,
    size,
    chainRoot: chainRoot.toLowerCase() as Hex,
    computedRoot: recomputed.root,
    entries: leaves.count,
    firstBadIndex: null,
    problem: null,
    fetchSeconds: leaves.seconds,
    recomputeSeconds: recomputed.seconds,
    recomputeCpuSeconds: recomputed.cpuSeconds,
    threads: recomputed.threads,
    leaves,
    recomputed,
  };
  // The first problem in index order: a broken sequence of logs, or a broken leaf before it.
  const problems = [leaves.sequenceProblem, recomputed.problem]
    .filter((x) => x !== undefined)
    .sort((a, b) => a.index - b.index);
  if (problems[0]) {
    result.firstBadIndex = problems[0].index;
    result.problem = problems[0].reason;
    return result;
  }
  if (BigInt(leaves.count) !== size) {
    result.firstBadIndex = Math.min(leaves.count, Number(size));
    result.problem =
      BigInt(leaves.count) < size
        ? `the chain's log holds ${size} entries at block ${block}, but its logs give only ${leaves.count}: entry ${leaves.count} is missing`
        : `the chain's logs give ${leaves.count} entries, but its log holds only ${size} at block ${block}`;
    return result;
  }
  if (result.computedRoot === result.chainRoot) {
    result.ok = true;
    return result;
  }
  const located = await locate(p.connection, leaves, recomputed.hashes);
  result.firstBadIndex = located.index;
  result.problem = `the root recomputed from the logs (${result.computedRoot}) is not the chain's root() at block ${block} (${result.chainRoot}); ${located.reason}`;
  return result;
}

/** Where the leaves stop reproducing the chain's roots: a block by bisection, then an entry by its stream heads. */
async function locate(
  c: ChainConnection,
  leaves: LedgerLeaves,
  hashes: Uint8Array,
): Promise<{ index: number | null; reason: string }> {
  const state = createChainState(c);
  // The last entry of each block: the chain reported root() for exactly these sizes.
  const ends: { block: bigint; size: number }[] = [];
  for (let i = 0; i < leaves.count; i++) {
    if (i + 1 === leaves.count || leaves.blocks[i + 1] !== leaves.blocks[i])
      ends.push({ block: BigInt(leaves.blocks[i] as number), size: i + 1 });
  }
  const roots = prefixRoots(
    hashes,
    ends.map((e) => e.size),
  );
  const matches = async (k: number) => {
    const e = ends[k] as { block: bigint; size: number };
    const [size, root] = await Promise.all([state.size(e.block), state.root(e.block)]);
    return size === BigInt(e.size) && root.toLowerCase() === `0x${Buffer.from(roots[k] as Uint8Array).toString("hex")}`;
  };
  let lo = 0;
  let hi = ends.length - 1;
  try {
    // Invariant: block ends before lo match, the one at hi does not.
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (await matches(mid)) lo = mid + 1;
      else hi = mid;
    }
  } catch {
    return {
      index: null,
      reason: "the node serves no older states to find the first bad entry; use an archive node to locate it",
    };
  }
  const bad = ends[lo] as { block: bigint; size: number };
  const first = lo === 0 ? 0 : (ends[lo - 1] as { size: number }).size;
  // Within the block: an entry that is the last of one of its streams there must match that stream's head.
  const data = Buffer.from(leaves.data.buffer, leaves.data.byteOffset, leaves.data.byteLength);
  for (let i = first; i < bad.size; i++) {
    const at = (leaves.offsets[i] as number) + 1;
    const n = data[at + 46] as number;
    for (let s = 0; s < n; s++) {
      const stream = `0x${data.toString("hex", at + 47 + 40 * s, at + 79 + 40 * s)}` as Hex;
      let lastInBlock = true;
      for (let j = i + 1; j < bad.size && lastInBlock; j++) {
        const o = (leaves.offsets[j] as number) + 1;
        for (let t = 0; t < (data[o + 46] as number); t++) {
          if (data.toString("hex", o + 47 + 40 * t, o + 79 + 40 * t) === stream.slice(2)) lastInBlock = false;
        }
      }
      if (!lastInBlock) continue;
      const head = await state.streamHead(stream, bad.block).catch(() => undefined);
      if (!head) continue;
      const hash16 = `0x${Buffer.from(hashes.subarray(32 * i, 32 * i + 16)).toString("hex")}`;
      if (head.lastIndex !== BigInt(i) || head.lastLeafHash16 !== hash16) {
        return {
          index: i,
          reason: `entry ${i} (block ${bad.block}) does not match the head of its stream ${stream} on chain: its leaf was altered, or another entry is missing`,
        };
      }
    }
  }
  return {
    index: first,
    reason: `the first block whose root() the logs do not reproduce is block ${bad.block} (entries ${first}–${bad.size - 1})`,
  };
}
