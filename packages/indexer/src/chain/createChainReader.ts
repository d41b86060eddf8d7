/**
 * Reads what the indexer needs from any Ethereum JSON-RPC node (anvil, Besu/QBFT, geth): block
 * headers, the TransparencyLog's EntryAppended logs, and the log's `size()` and `root()` at a given
 * block. Standard methods only.
 *
 * eth_getLogs ranges adapt to what the node answers. Each answer tells how many bytes a block
 * holds lately, and the next range is sized to land well inside the largest answer the transport
 * accepts (viem's 10 MiB), growing at most twofold a step, because asking for too much is costly:
 * the node builds the whole answer before it is refused. A refused range is shrunk from the span
 * actually asked for (to fit, when the refusal says how large the answer was; else by half), and
 * ranges stay below it for a while. A single block whose logs the node will not give at once (more
 * of them, or more bytes, than it answers) is read by entry index, the event's indexed topic.
 */
import { transparencyLogAbi } from "@shanji/core";
import {
  type Address,
  decodeFunctionResult,
  encodeFunctionData,
  type Hex,
  numberToHex,
  type PublicClient,
  toEventSelector,
  toHex,
} from "viem";
import { IndexerError } from "../errors.ts";

export const ENTRY_APPENDED = toEventSelector("EntryAppended(uint256,bytes)");

export type EntryLog = {
  index: bigint;
  /**
   * The leaf's bytes as hex digits, without `0x`: a slice of the answer's `data`, which shares its
   * characters (a `0x` put in front would be another string, copied whole when first read).
   */
  leafHex: string;
  blockNumber: bigint;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: number;
};

export type BlockHeader = { number: bigint; hash: Hex };

export type ChainReaderOptions = {
  client: PublicClient;
  logAddress: Address;
  /** The largest eth_getLogs range to try (Besu's default cap is 5,000 blocks). */
  maxRange?: bigint;
  /** The range to start with, before any answer has said how full the blocks are. */
  initialRange?: bigint;
  /**
   * The largest eth_getLogs answer the transport accepts, in bytes: viem's http transport refuses
   * larger ones (`maxResponseBodySize`, 10 MiB unless the client was built with another).
   */
  maxResponseBytes?: number;
};

export type ChainReader = ReturnType<typeof createChainReader>;

/**
 * How nodes refuse an eth_getLogs range or an answer too large: geth and Infura "query returned more
 * than 10000 results", Besu "exceeds maximum RPC range limit", providers "response size exceeded",
 * and viem's own ResponseBodyTooLargeError past 10 MB. A rate limit (HTTP 429) is not one of them: it
 * is retried with a backoff, not answered with a smaller range.
 */
const RANGE_REFUSED = /range|more than \d+ results|response size|too large|exceeded the size limit|query timeout/i;

/** An error and the errors it was caused by (viem wraps a node's answer a few levels deep), six at most. */
function* causes(error: unknown): Generator<unknown> {
  let e: unknown = error;
  for (let depth = 0; e && depth < 6; depth++) {
    yield e;
    e = (e as { cause?: unknown }).cause;
  }
}

/** An error's message and, for viem's errors, its details. */
function textOf(e: unknown): string {
  return e instanceof Error ? `${e.message} ${(e as { details?: string }).details ?? ""}` : "";
}

/** A node that says "slow down": HTTP 429, or a JSON-RPC error that says rate limit. */
function isRateLimit(error: unknown): boolean {
  for (const e of causes(error)) {
    if ((e as { status?: number }).status === 429) return true;
    if (e instanceof Error && /rate limit|too many requests/i.test(e.message)) return true;
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

/** The size of an answer the transport refused as too large, when it says (viem does, from Content-Length). */
function refusedSize(error: unknown): number | undefined {
  for (const e of causes(error)) {
    const { name, size } = e as { name?: string; size?: unknown };
    if (name === "ResponseBodyTooLargeError" && typeof size === "number" && size > 0) return size;
  }
  return undefined;
}

/**
 * How nodes say they no longer keep a block's state: geth "historical state … is not available",
 * "required historical state unavailable" or "missing trie node"; Besu "world state unavailable";
 * anvil with --prune-history "BlockOutOfRangeError".
 */
const STATE_PRUNED =
  /historical state|missing trie node|world ?state (is )?(not available|unavailable)|BlockOutOfRangeError/i;

function isStatePruned(error: unknown): boolean {
  for (const e of causes(error)) if (STATE_PRUNED.test(textOf(e))) return true;
  return false;
}

function isRangeRefusal(error: unknown): boolean {
  let text = "";
  for (const e of causes(error)) {
    if ((e as { name?: string }).name === "ResponseBodyTooLargeError") return true;
    if (isRateLimit(e)) return false;
    text += ` ${textOf(e)}`;
  }
  return RANGE_REFUSED.test(text);
}

/** The share of `maxResponseBytes` a range aims at: room for blocks a fifth fuller than the last ones. */
const RESPONSE_BUDGET = 0.8;
/** A range grows at most this many times from one request to the next. */
const GROWTH = 2n;
/** Requests after a refusal during which no range reaches the span refused. */
const CEILING_REQUESTS = 32;
/**
 * Entries asked for at once in a block the node will not give whole: ~2.4 MB of answer at the
 * benchmark's ~2.4 KB a log, a quarter of viem's limit, and a tenth of geth's 10,000 results. Halved
 * while the node refuses, down to one.
 */
const DENSE_BLOCK_SHARE = 1_000;
/** viem's default `maxResponseBodySize`. */
const VIEM_MAX_RESPONSE_BYTES = 10_485_760;

type RawLog = {
  topics: Hex[];
  data: Hex;
  blockNumber: Hex;
  blockHash: Hex;
  transactionHash: Hex;
  logIndex: Hex;
  removed?: boolean;
};

export function createChainReader({
  client,
  logAddress,
  maxRange = 5_000n,
  initialRange = 500n,
  maxResponseBytes = VIEM_MAX_RESPONSE_BYTES,
}: ChainReaderOptions) {
  let range = initialRange < maxRange ? initialRange : maxRange;
  /** The smallest span refused lately, and for how many more requests ranges stay below it. */
  let ceiling: { span: bigint; requests: number } | undefined;
  /**
   * What a refusal that gave its size taught: blocks up to `to` hold about `bytes` bytes beyond
   * those read since. Until they are read, ranges are sized for at least that average, so that a
   * few sparse blocks at the start of a dense stretch do not grow the range into another refusal.
   */
  let known: { to: bigint; bytes: number } | undefined;

  /** The span to ask for after blocks [.., last], `span` of them, answered with about `bytes` bytes. */
  function sizeFrom(last: bigint, span: bigint, bytes: number): bigint {
    const budget = maxResponseBytes * RESPONSE_BUDGET;
    let perBlock = bytes / Number(span);
    if (known !== undefined && known.to > last) perBlock = Math.max(perBlock, known.bytes / Number(known.to - last));
    // As many blocks as fit the budget at that density; when the blocks held nothing, any number.
    const fit = perBlock > 0 ? BigInt(Math.floor(budget / perBlock)) : maxRange;
    let next = fit < span * GROWTH ? fit : span * GROWTH;
    if (ceiling !== undefined && next >= ceiling.span) next = ceiling.span - 1n;
    if (next > maxRange) next = maxRange;
    return next < 1n ? 1n : next;
  }

  /** Entries asked for at once in a dense block (denseBlock); kept from one such block to the next. */
  let denseShare = DENSE_BLOCK_SHARE;

  /**
   * EntryAppended logs of blocks fromBlock…toBlock, or of the block `blockHash` with the given entry
   * indexes only (the event's indexed topic: a node matches a list of values as any one of them).
   */
  async function getLogs(
    filter: { fromBlock: bigint; toBlock: bigint } | { blockHash: Hex; indexes: readonly bigint[] },
  ): Promise<{ logs: EntryLog[]; bytes: number }> {
    const params =
      "blockHash" in filter
        ? {
            address: logAddress,
            topics: [ENTRY_APPENDED, filter.indexes.map((index) => numberToHex(index, { size: 32 }))],
            blockHash: filter.blockHash,
          }
        : {
            address: logAddress,
            topics: [ENTRY_APPENDED],
            fromBlock: toHex(filter.fromBlock),
            toBlock: toHex(filter.toBlock),
          };
    const raw = (await client.request({ method: "eth_getLogs", params: [params] } as never)) as RawLog[];
    // The answer's size, near enough: the logs differ in width only by their data.
    const first = raw[0];
    const perLog = first === undefined ? 0 : JSON.stringify(first).length - first.data.length;
    let bytes = 0;
    const logs: EntryLog[] = [];
    for (const log of raw) {
      bytes += perLog + log.data.length;
      if (log.removed) continue;
      const indexTopic = log.topics[1];
      if (log.topics[0] !== ENTRY_APPENDED || indexTopic === undefined) {
        throw new IndexerError("eth_getLogs returned a log that is not an EntryAppended event", {
          details: JSON.stringify(log),
          retryable: true,
        });
      }
      logs.push({
        index: BigInt(indexTopic),
        leafHex: leafHexOf(log.data),
        blockNumber: BigInt(log.blockNumber),
        blockHash: log.blockHash,
        transactionHash: log.transactionHash,
        logIndex: Number(log.logIndex),
      });
    }
    return { logs, bytes };
  }

  /**
   * The log's size() or root() in the state of block `blockHash` (EIP-1898). A node that no longer
   * keeps that state (a full node rather than an archive one) gets an error that says what to run
   * instead. It is still retried: a node that is syncing answers the same for a while.
   */
  async function logCall(functionName: "size" | "root", blockHash: Hex): Promise<unknown> {
    let data: Hex;
    try {
      data = (await withRateLimitRetry(() =>
        client.request({
          method: "eth_call",
          params: [
            { to: logAddress, data: encodeFunctionData({ abi: transparencyLogAbi, functionName }) },
            { blockHash },
          ],
        } as never),
      )) as Hex;
    } catch (error) {
      if (!isStatePruned(error)) throw error;
      throw new IndexerError(
        `The node no longer keeps the state of block ${blockHash}: the log's ${functionName}() there cannot be read`,
        {
          cause: error,
          retryable: true,
          details:
            "The indexer checks each batch against the log's root() at the batch's last block, so a backfill needs the state of old blocks: point it at an archive node (geth --gcmode=archive; Besu with --data-storage-format=FOREST, or Bonsai with --bonsai-historical-block-limit above the chain's length).",
        },
      );
    }
    return decodeFunctionResult({ abi: transparencyLogAbi, functionName, data });
  }

  /**
   * The logs of block `number`, which the node will not give in one answer: its entries are those
   * between the log's size at its parent and at itself, asked for by index, `denseShare` at a time.
   * The self-check vouches for the result as for any other (a missing or extra entry fails it).
   */
  async function denseBlock(number: bigint): Promise<EntryLog[]> {
    const block = await withRateLimitRetry(() => client.getBlock({ blockNumber: number }));
    if (block.hash === null) throw new IndexerError(`block ${number} has no hash yet`, { retryable: true });
    const blockHash = block.hash;
    const [before, after] = (await Promise.all([logCall("size", block.parentHash), logCall("size", blockHash)])) as [
      bigint,
      bigint,
    ];
    const logs: EntryLog[] = [];
    for (let next = before; next < after; ) {
      const count = Math.min(denseShare, Number(after - next));
      const indexes = Array.from({ length: count }, (_, i) => next + BigInt(i));
      try {
        logs.push(...(await withRateLimitRetry(() => getLogs({ blockHash, indexes }))).logs);
        next += BigInt(count);
      } catch (error) {
        if (count === 1 || !isRangeRefusal(error)) throw error;
        denseShare = Math.ceil(count / 2);
      }
    }
    return logs;
  }

  return {
    /** The span the next eth_getLogs request asks for (fewer blocks near the head). */
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
      return { number, hash: block.hash };
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
        const span = last - fromBlock + 1n;
        let answer: { logs: EntryLog[]; bytes: number };
        try {
          answer = await withRateLimitRetry(() => getLogs({ fromBlock, toBlock: last }));
        } catch (error) {
          if (!isRangeRefusal(error)) throw error;
          if (span === 1n) return { logs: await denseBlock(fromBlock), lastBlock: fromBlock };
          // Shrink the span asked for, not `range`: near the head a request can be much shorter.
          ceiling = { span, requests: CEILING_REQUESTS };
          const size = refusedSize(error);
          if (size === undefined) {
            range = span / 2n;
          } else {
            known = { to: last, bytes: size };
            range = sizeFrom(fromBlock - 1n, span, size);
          }
          continue;
        }
        if (ceiling !== undefined && --ceiling.requests === 0) ceiling = undefined;
        if (known !== undefined)
          known = known.to > last ? { to: known.to, bytes: Math.max(0, known.bytes - answer.bytes) } : undefined;
        // A short request at the head tells how full its blocks are, not that the range may grow.
        const next = sizeFrom(last, span, answer.bytes);
        if (span === range || next < range) range = next;
        return { logs: answer.logs, lastBlock: last };
      }
    },

    /** The log's size and root at block `blockHash` (EIP-1898), from the chain itself. */
    async logState(blockHash: Hex): Promise<{ size: bigint; root: Hex }> {
      const [size, root] = await Promise.all([logCall("size", blockHash), logCall("root", blockHash)]);
      return { size: size as bigint, root: root as Hex };
    },
  };
}

/** The hex digits of the `bytes leaf` of an EntryAppended event's data: offset word (0x20), length word, bytes. */
function leafHexOf(data: Hex): string {
  const offset = Number.parseInt(data.slice(2, 2 + 64), 16);
  const length = Number.parseInt(data.slice(2 + 64, 2 + 128), 16);
  if (offset !== 32 || !Number.isSafeInteger(length) || data.length < 2 + 128 + length * 2) {
    throw new IndexerError("An EntryAppended log's data is not an ABI-encoded `bytes` value", {
      details: data.slice(0, 200),
      retryable: true,
    });
  }
  return data.slice(2 + 128, 2 + 128 + length * 2);
}
