// How the chain reader sizes its eth_getLogs ranges, against a fake node whose blocks hold a given
// number of bytes of logs and whose transport refuses answers over 10 MiB as viem's does. (A single
// block too large for one answer is read by entry index: sync/denseBlocks.test.ts, on anvil.)
import type { PublicClient } from "viem";
import { encodeAbiParameters, numberToHex, pad } from "viem";
import { describe, expect, test } from "vitest";
import { createChainReader, ENTRY_APPENDED } from "./createChainReader.ts";

const MiB = 1024 * 1024;
const LIMIT = 10 * MiB;

/**
 * A node of `blocks` blocks; block b holds logsPerBlock(b) logs of about 1 KiB each. Records every
 * eth_getLogs request as [from, to] with whether it was refused. `refuse` replaces the size check.
 */
function fakeNode(logsPerBlock: (block: number) => number, refuse?: (from: number, to: number) => Error | undefined) {
  const requests: { from: number; to: number; refused: boolean }[] = [];
  let index = 0n;
  const data = encodeAbiParameters([{ type: "bytes" }], [`0x${"ab".repeat(400)}`]);
  const client = {
    async request({ method, params }: { method: string; params: [{ fromBlock: string; toBlock: string }] }) {
      if (method !== "eth_getLogs") throw new Error(`unexpected ${method}`);
      const from = Number(params[0].fromBlock);
      const to = Number(params[0].toBlock);
      let count = 0;
      for (let b = from; b <= to; b++) count += logsPerBlock(b);
      const size = count * 1_100;
      const refusal =
        refuse?.(from, to) ??
        (size > LIMIT
          ? Object.assign(new Error("HTTP response body exceeded the size limit."), {
              name: "ResponseBodyTooLargeError",
              size,
            })
          : undefined);
      requests.push({ from, to, refused: refusal !== undefined });
      if (refusal) throw refusal;
      const logs = [];
      for (let b = from; b <= to; b++) {
        for (let i = 0; i < logsPerBlock(b); i++) {
          logs.push({
            topics: [ENTRY_APPENDED, pad(numberToHex(index++))],
            data,
            blockNumber: numberToHex(b),
            blockHash: pad(numberToHex(b)),
            transactionHash: pad(numberToHex(b)),
            logIndex: numberToHex(i),
          });
        }
      }
      return logs;
    },
  } as unknown as PublicClient;
  return { client, requests };
}

async function readAll(reader: ReturnType<typeof createChainReader>, to: bigint) {
  for (let block = 1n; block <= to; ) block = (await reader.nextLogs(block, to)).lastBlock + 1n;
}

describe("createChainReader", () => {
  test("behavior: a refusal that says how large the answer was shrinks the range to fit at once, and no range is refused again", async () => {
    // 3,300 logs (~3.5 MiB) a block: three blocks are too many, two fit.
    const node = fakeNode(() => 3_300);
    const reader = createChainReader({ client: node.client, logAddress: "0x0000000000000000000000000000000000000001" });
    await readAll(reader, 60n);
    expect(node.requests.filter((r) => r.refused)).toHaveLength(1);
    expect(node.requests[1]?.to).toBeLessThan(3);
    expect(node.requests.every((r) => r.refused || r.to - r.from + 1 <= 2)).toBe(true);
  });

  test("behavior: sparse blocks before a dense stretch do not grow the range into the stretch once it is known", async () => {
    // Blocks 1–20 hold 10 logs, blocks 21–60 hold 3,300.
    const node = fakeNode((b) => (b <= 20 ? 10 : 3_300));
    const reader = createChainReader({ client: node.client, logAddress: "0x0000000000000000000000000000000000000001" });
    await readAll(reader, 60n);
    expect(node.requests.filter((r) => r.refused)).toHaveLength(1);
  });

  test("behavior: ranges grow back twofold at most per request once blocks are empty again", async () => {
    const node = fakeNode((b) => (b <= 10 ? 3_000 : 0));
    const reader = createChainReader({
      client: node.client,
      logAddress: "0x0000000000000000000000000000000000000001",
      initialRange: 2n,
    });
    await readAll(reader, 2_000n);
    const spans = node.requests.filter((r) => !r.refused).map((r) => r.to - r.from + 1);
    for (const [i, span] of spans.entries()) if (i > 0) expect(span).toBeLessThanOrEqual(2 * (spans[i - 1] ?? 0));
    expect(Math.max(...spans)).toBeGreaterThan(100);
  });

  test("behavior: a node that caps the range without saying a size gets half the span actually asked for, near the head too", async () => {
    // Besu's refusal: more than 3 blocks. The head is 5 blocks on, well inside the 500-block range.
    const node = fakeNode(
      () => 1,
      (from, to) => (to - from + 1 > 3 ? new Error("Requested range exceeds maximum RPC range limit") : undefined),
    );
    const reader = createChainReader({ client: node.client, logAddress: "0x0000000000000000000000000000000000000001" });
    await readAll(reader, 5n);
    // 1–5 refused, then 1–2 (half of 5), not 1–250 (half of the nominal 500).
    expect(node.requests.slice(0, 2)).toEqual([
      { from: 1, to: 5, refused: true },
      { from: 1, to: 2, refused: false },
    ]);
  });
});
