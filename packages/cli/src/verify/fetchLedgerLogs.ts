/**
 * Fetches every EntryAppended log of the TransparencyLog from the chain, with no API at all, into
 * one packed buffer of leaf bytes. Logs must come with contiguous indexes 0, 1, 2, …; the first
 * gap or repeat is kept as the first bad index.
 *
 * Ranges adapt to the answers' size, not only to refusals: the range is sized so that an answer
 * holds about TARGET_LOGS logs (from the logs per block seen so far), starts at one block, and is
 * halved when the node refuses it (Besu's 5,000-block cap, "too many results", a timeout). Asking a
 * node for a million logs at once costs it gigabytes of memory before any client limit applies —
 * anvil was killed for it while this was measured — so the size is kept down on the asking side.
 */
import { type Hex, toEventSelector, toHex } from "viem";
import { CliError, exitCode } from "../common/cliError.ts";
import type { ChainConnection } from "../common/deployment.ts";
import type { Progress } from "../common/output.ts";

export type LedgerLeaves = {
  /** Leaves fetched (contiguous from 0). */
  count: number;
  /**
   * All leaves end to end, each behind a 0x00 byte: the leaf-hash prefix, so that leaf i's hash
   * SHA-256(0x00 ‖ leaf) is one hash of data[offsets[i], offsets[i+1]). Leaf i itself is
   * data[offsets[i] + 1, offsets[i+1]). In shared memory (the recompute's threads read it).
   */
  data: Uint8Array;
  offsets: Float64Array;
  /** The block each leaf was appended in (as numbers: fine up to 2^53). */
  blocks: Float64Array;
  /** The last block fetched. */
  toBlock: bigint;
  /** A log that broke the sequence: its position and what was wrong. */
  sequenceProblem: { index: number; reason: string } | undefined;
  seconds: number;
  requests: number;
};

/** The TransparencyLog's EntryAppended(uint256 indexed index, bytes leaf). */
const ENTRY_APPENDED = toEventSelector("EntryAppended(uint256,bytes)");
/** About this many logs per eth_getLogs answer (a few tens of MB). */
const TARGET_LOGS = 20_000;
/** Besu's default cap on an eth_getLogs block range. */
const MAX_RANGE = 5_000;

/** Kept for the verify command's viem client (other reads); logs are fetched here without viem. */
export const LOG_RESPONSE_LIMIT = 64 * 1024 * 1024;

type RawLog = { topics: Hex[]; data: string; blockNumber: Hex; removed?: boolean };

export async function fetchLedgerLogs(c: ChainConnection, toBlock: bigint, progress?: Progress): Promise<LedgerLeaves> {
  const started = performance.now();
  const topic = ENTRY_APPENDED;
  // Leaf bytes and offsets in shared memory: the recompute's threads read them where they are.
  let capacity = 1 << 24;
  let data = new Uint8Array(new SharedArrayBuffer(capacity));
  let offsets = new Float64Array(new SharedArrayBuffer(8 << 16));
  let blocks = new Float64Array(1 << 16);
  let count = 0;
  let used = 0;
  let requests = 0;
  let sequenceProblem: LedgerLeaves["sequenceProblem"];
  let range = 1;
  let logsPerBlock = 0;

  for (let block = BigInt(c.deployment.deployBlock); block <= toBlock && !sequenceProblem; ) {
    const last = block + BigInt(range) - 1n < toBlock ? block + BigInt(range) - 1n : toBlock;
    let logs: RawLog[];
    try {
      requests += 1;
      logs = await getLogs(c, topic, block, last);
    } catch (error) {
      if (range > 1) {
        range = Math.max(1, Math.floor(range / 2));
        continue;
      }
      throw error;
    }
    for (const log of logs) {
      if (log.removed) continue;
      const index = BigInt(log.topics[1] ?? "0x0");
      if (index !== BigInt(count)) {
        sequenceProblem = {
          index: count,
          reason:
            index > BigInt(count)
              ? `the chain's logs skip from entry ${count - 1} to entry ${index}: entry ${count} is missing`
              : `entry ${index} appears twice in the chain's logs`,
        };
        break;
      }
      // data = offset word (0x20) | length word | bytes, hex.
      const bytes = Number.parseInt(log.data.slice(2 + 64, 2 + 128), 16);
      if (!Number.isSafeInteger(bytes) || log.data.length < 2 + 128 + 2 * bytes) {
        sequenceProblem = { index: count, reason: `entry ${count}: its log's data is not an ABI-encoded leaf` };
        break;
      }
      if (used + 1 + bytes > capacity) {
        while (used + 1 + bytes > capacity) capacity *= 2;
        const grown = new Uint8Array(new SharedArrayBuffer(capacity));
        grown.set(data.subarray(0, used));
        data = grown;
      }
      if (count + 2 > offsets.length) {
        const o = new Float64Array(new SharedArrayBuffer(16 * offsets.length));
        o.set(offsets);
        offsets = o;
        const b = new Float64Array(blocks.length * 2);
        b.set(blocks);
        blocks = b;
      }
      data[used] = 0;
      Buffer.from(data.buffer, data.byteOffset, data.byteLength).write(
        log.data.slice(2 + 128, 2 + 128 + 2 * bytes),
        used + 1,
        "hex",
      );
      offsets[count] = used;
      blocks[count] = Number(BigInt(log.blockNumber));
      used += 1 + bytes;
      count += 1;
      offsets[count] = used;
    }
    progress?.set(count);
    // Size the next range from what this one held.
    const span = Number(last - block) + 1;
    logsPerBlock = logsPerBlock === 0 ? logs.length / span : 0.5 * logsPerBlock + 0.5 * (logs.length / span);
    range = Math.max(1, Math.min(MAX_RANGE, 2 * range, Math.floor(TARGET_LOGS / Math.max(logsPerBlock, 1e-9))));
    block = last + 1n;
  }
  return {
    count,
    data: data.subarray(0, used),
    offsets: offsets.subarray(0, count + 1),
    blocks: blocks.subarray(0, count),
    toBlock,
    sequenceProblem,
    seconds: (performance.now() - started) / 1000,
    requests,
  };
}

async function getLogs(c: ChainConnection, topic: Hex, from: bigint, to: bigint): Promise<RawLog[]> {
  const body = JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "eth_getLogs",
    params: [{ address: c.deployment.addresses.log, topics: [topic], fromBlock: toHex(from), toBlock: toHex(to) }],
  });
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(c.rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
        signal: AbortSignal.timeout(300_000),
      });
    } catch (error) {
      if (attempt < 3) {
        await new Promise((r) => setTimeout(r, 500 * 2 ** attempt));
        continue;
      }
      throw new CliError(`eth_getLogs of blocks ${from}–${to} failed`, {
        exitCode: exitCode.unavailable,
        details: (error as Error).message,
        cause: error,
      });
    }
    if (response.status === 429 && attempt < 5) {
      await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      continue;
    }
    const answer = (await response.json()) as { result?: RawLog[]; error?: { message?: string } };
    if (!Array.isArray(answer.result)) {
      throw new CliError(
        `the node refused eth_getLogs of blocks ${from}–${to}: ${answer.error?.message ?? `HTTP ${response.status}`}`,
        {
          exitCode: exitCode.unavailable,
        },
      );
    }
    return answer.result;
  }
}
