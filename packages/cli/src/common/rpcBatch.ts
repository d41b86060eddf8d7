/**
 * Many eth_calls in few HTTP requests: JSON-RPC batches (standard since JSON-RPC 2.0, served by
 * anvil, geth and Besu), a few in flight at once. For reads of thousands of values, such as the
 * stream head of every row of an import.
 */
import type { Address, Hex } from "viem";
import { CliError, exitCode } from "./cliError.ts";

/** `to` left out: the data is creation code, run without deploying it (a "deployless" call). */
export type RpcBatchCall = { to?: Address; data: Hex };

export async function ethCallBatch(
  rpcUrl: string,
  calls: readonly RpcBatchCall[],
  options: { block?: bigint; batchSize?: number; concurrency?: number } = {},
): Promise<Hex[]> {
  const { batchSize = 500, concurrency = 4 } = options;
  const block = options.block === undefined ? "latest" : `0x${options.block.toString(16)}`;
  const results = new Array<Hex>(calls.length);
  let next = 0;
  const worker = async () => {
    for (;;) {
      const start = next;
      next += batchSize;
      if (start >= calls.length) return;
      const chunk = calls.slice(start, start + batchSize);
      const body = chunk.map((call, i) => ({
        jsonrpc: "2.0",
        id: start + i,
        method: "eth_call",
        params: [call, block],
      }));
      let answers: { id: number; result?: Hex; error?: { message: string } }[];
      try {
        const response = await fetch(rpcUrl, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(120_000),
        });
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        answers = (await response.json()) as typeof answers;
      } catch (error) {
        throw new CliError(`reading the chain at ${rpcUrl} failed`, {
          exitCode: exitCode.unavailable,
          details: error instanceof Error ? error.message : String(error),
          cause: error,
        });
      }
      if (!Array.isArray(answers)) {
        throw new CliError(`the RPC at ${rpcUrl} does not answer JSON-RPC batches`, { exitCode: exitCode.unavailable });
      }
      for (const answer of answers) {
        if (answer.result === undefined) {
          throw new CliError(`eth_call failed: ${answer.error?.message ?? "no result"}`, {
            exitCode: exitCode.unavailable,
          });
        }
        results[answer.id] = answer.result;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}
