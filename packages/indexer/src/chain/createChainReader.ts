/**
 * Reads what the indexer needs from any Ethereum JSON-RPC node (anvil, Besu/QBFT, geth): block
 * headers, the TransparencyLog's EntryAppended logs, and the log's `size()` and `root()` at a given
 * block. Standard methods only. eth_getLogs ranges adapt: a node that refuses a range, or whose
 * answer is too large, gets half the range; after successes the range grows back.
 */
import { transparencyLogAbi } from "@shanji/core";
import {
  type Address,
  decodeFunctionResult,
  encodeFunctionData,
  type Hex,
  type PublicClient,
  toEventSelector,
  toHex,
} from "viem";
import { IndexerError } from "../errors.ts";

export const ENTRY_APPENDED = toEventSelector("EntryAppended(uint256,bytes)");

export type EntryLog = {
  index: bigint;
  leaf: Hex;
  blockNumber: bigint;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: number;
};

export type BlockHeader = { number: bigint; hash: Hex; parentHash: Hex };

export type ChainReaderOptions = {
  client: PublicClient;
  logAddress: Address;
  /** The largest eth_getLogs range to try (Besu's default cap is 5,000 blocks). */
  maxRange?: bigint;
  /** The range to start with. */
  initialRange?: bigint;
};

export type ChainReader = ReturnType<typeof createChainReader>;

/**
 * How nodes refuse an eth_getLogs range or an answer too large: geth and Infura "query returned more
 * than 10000 results", Besu "exceeds maximum RPC range limit", providers "response size exceeded",
 * and viem's own ResponseBodyTooLargeError past 10 MB. A rate limit (HTTP 429) is not one of them: it
 * is retried with a backoff, not answered with a smaller range.
 */
const RANGE_REFUSED = /range|more than \d+ results|response size|too large|exceeded the size limit|query timeout/i;

/** A node that says "slow down": HTTP 429, or a JSON-RPC error that says rate limit. */
function isRateLimit(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e && depth < 6; depth++) {
    if ((e as { status?: number }).status === 429) return true;
    if (e instanceof Error && /rate limit|too many requests/i.test(e.message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Retries one request through rate limits (backing off 0.2 s … 3.2 s), so that a step survives them. */
async function withRateLimitRetry<T>(request: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (!isRateLimit(error) || attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
}

function isRangeRefusal(error: unknown): boolean {
  let e: unknown = error;
  let text = "";
  for (let depth = 0; e && depth < 6; depth++) {
    if ((e as { name?: string }).name === "ResponseBodyTooLargeError") return true;
    if (isRateLimit(e)) return false;
    if (e instanceof Error) text += ` ${e.message} ${(e as { details?: string }).details ?? ""}`;
    e = (e as { cause?: unknown }).cause;
  }
  return RANGE_REFUSED.test(text);
}

export function createChainReader({ client, logAddress, maxRange = 5_000n, initialRange = 500n }: ChainReaderOptions) {
  let range = initialRange < maxRange ? initialRange : maxRange;

  async function getLogs(fromBlock: bigint, toBlock: bigint): Promise<EntryLog[]> {
    const raw = (await client.request({
      method: "eth_getLogs",
      params: [{ address: logAddress, topics: [ENTRY_APPENDED], fromBlock: toHex(fromBlock), toBlock: toHex(toBlock) }],
    })) as {
      topics: Hex[];
      data: Hex;
      blockNumber: Hex;
      blockHash: Hex;
      transactionHash: Hex;
      logIndex: Hex;
      removed?: boolean;
    }[];
    return raw
      .filter((log) => !log.removed)
      .map((log) => {
        const indexTopic = log.topics[1];
        if (log.topics[0] !== ENTRY_APPENDED || indexTopic === undefined) {
          throw new IndexerError("eth_getLogs returned a log that is not an EntryAppended event", {
            details: JSON.stringify(log),
            retryable: true,
          });
        }
        return {
          index: BigInt(indexTopic),
          leaf: decodeLeafBytes(log.data),
          blockNumber: BigInt(log.blockNumber),
          blockHash: log.blockHash,
          transactionHash: log.transactionHash,
          logIndex: Number(log.logIndex),
        };
      });
  }

  return {
    get range() {
      return range;
    },

    async chainId(): Promise<number> {
      return client.getChainId();
    },

    async headNumber(): Promise<bigint> {
      return withRateLimitRetry(() => client.getBlockNumber({ cacheTime: 0 }));
    },

    async header(number: bigint): Promise<BlockHeader> {
      const block = await withRateLimitRetry(() => client.getBlock({ blockNumber: number }));
      if (block.hash === null) throw new IndexerError(`block ${number} has no hash yet`, { retryable: true });
      return { number, hash: block.hash, parentHash: block.parentHash };
    },

    async code(): Promise<Hex | undefined> {
      return client.getCode({ address: logAddress });
    },

    /**
     * The logs of blocks [fromBlock, …] up to at most toBlock, in one eth_getLogs request of the
     * current range. Returns the last block covered; shrinks the range when the node refuses it.
     */
    async nextLogs(fromBlock: bigint, toBlock: bigint): Promise<{ logs: EntryLog[]; lastBlock: bigint }> {
      for (;;) {
        const last = fromBlock + range - 1n < toBlock ? fromBlock + range - 1n : toBlock;
        try {
          const logs = await withRateLimitRetry(() => getLogs(fromBlock, last));
          // Grow back only after a full-width success: a short request at the head proves nothing.
          if (last - fromBlock + 1n === range && range < maxRange)
            range = range * 2n < maxRange ? range * 2n : maxRange;
          return { logs, lastBlock: last };
        } catch (error) {
          if (range > 1n && isRangeRefusal(error)) {
            range = range / 2n;
            continue;
          }
          throw error;
        }
      }
    },

    /** The log's size and root at block `blockHash` (EIP-1898), from the chain itself. */
    async logState(blockHash: Hex): Promise<{ size: bigint; root: Hex }> {
      const call = async (functionName: "size" | "root") => {
        const data = (await client.request({
          method: "eth_call",
          params: [
            { to: logAddress, data: encodeFunctionData({ abi: transparencyLogAbi, functionName }) },
            { blockHash },
          ],
        } as never)) as Hex;
        return decodeFunctionResult({ abi: transparencyLogAbi, functionName, data });
      };
      const size = await withRateLimitRetry(() => call("size"));
      const root = await withRateLimitRetry(() => call("root"));
      return { size: size as bigint, root: root as Hex };
    },
  };
}

/** The `bytes leaf` of an EntryAppended event's data: offset word (0x20), length word, bytes. */
function decodeLeafBytes(data: Hex): Hex {
  const offset = Number.parseInt(data.slice(2, 2 + 64), 16);
  const length = Number.parseInt(data.slice(2 + 64, 2 + 128), 16);
  if (offset !== 32 || !Number.isSafeInteger(length) || data.length < 2 + 128 + length * 2) {
    throw new IndexerError("An EntryAppended log's data is not an ABI-encoded `bytes` value", {
      details: data.slice(0, 200),
      retryable: true,
    });
  }
  return `0x${data.slice(2 + 128, 2 + 128 + length * 2)}`;
}
