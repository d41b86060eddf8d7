/**
 * Checks one batch of EntryAppended logs without the store, and lays it out for writing. The
 * entry indexes must follow on from the stored log, every leaf must decode and carry its own
 * index, the streams' back-pointers must chain within the batch, and the Merkle root rebuilt from
 * the stored peaks plus the new leaves must equal the chain's `root()` at the batch's last block.
 * What only the store can tell — whether each stream's first back-pointer in the batch names the
 * stream's last stored entry — is checked by writeBatch, in the transaction that writes it.
 *
 * The result holds the batch as one string per column (PostgreSQL array literals, bytes as hex laid
 * end to end, JSON records one after another), not as objects per entry: the decoded entries die
 * young, and a batch waiting to be written is a handful of long strings instead of tens of
 * thousands of small objects for the garbage collector to copy.
 */
import { hash } from "node:crypto";
import { bytesToHex, type Hex } from "viem";
// Not in @shanji/core's entry point (yet): decodeLeaf without the operator's EIP-55 checksum, which
// the indexer never stores and which cost a keccak-256 per entry.
import { decodeLeafFast } from "../../../core/src/encoding/decodeLeafFast.ts";
import type { BlockHeader, EntryLog } from "../chain/createChainReader.ts";
import { SelfCheckError } from "../errors.ts";
import { LOWEST_STORED_LEVEL } from "../proofs/storedTree.ts";
import { recordToJson } from "../store/recordJson.ts";
import type { MerkleFrontier } from "./merkleFrontier.ts";

export type PrepareBatchParameters = {
  /** The logs of blocks fromBlock…lastHeader.number, in chain order. */
  logs: readonly EntryLog[];
  /** Headers of every block with logs. */
  headers: ReadonlyMap<bigint, BlockHeader>;
  fromBlock: bigint;
  lastHeader: BlockHeader;
  /** The log's size and root at the last block, from the chain. */
  onChain: { size: bigint; root: Hex };
  /** The stored log's frontier: advanced in place over the batch (discard it if this throws). */
  frontier: MerkleFrontier;
};

/**
 * Up to CHUNK consecutive entries as SQL parameters. Integers are array literals (`{1,2,NULL}`);
 * fixed-size byte strings are hex laid end to end (32 bytes, 64 digits, each); JSON records are
 * separated by RECORD_SEPARATOR, a character JSON.stringify always escapes inside strings.
 */
export type EntryChunk = {
  /** The first entry's index; the others follow one by one. */
  firstIdx: bigint;
  blockNumber: string;
  txHash: string;
  logIndex: string;
  kind: string;
  actorOrg: string;
  ts: string;
  /** The leaves end to end, and each leaf's byte offset and length in it. */
  leaf: string;
  leafOffset: string;
  leafLength: string;
  leafHash: string;
  record: string;
  /** One row per (entry, stream): stream id, entry index, the entry's back-pointer. */
  streamId: string;
  streamIdx: string;
  streamPrev: string;
};

export type PreparedBatch = {
  fromBlock: bigint;
  lastHeader: BlockHeader;
  entries: number;
  /** The log's size after the batch. */
  logSize: bigint;
  chunks: EntryChunk[];
  /**
   * Per stream the batch touches: its first entry here, that entry's back-pointer (NULL for a new
   * stream), and the stream's count and last entry in the batch. `known` counts the streams whose
   * first back-pointer is not NULL, which must all exist in the store already.
   */
  streams: {
    id: string;
    firstIdx: string;
    firstPrev: string;
    count: string;
    lastIdx: string;
    size: number;
    known: number;
  };
  /**
   * The first entry whose back-pointer does not follow the batch's own previous entry of the
   * stream; reported only if the store finds no earlier break.
   */
  chainBreak: { index: bigint; message: string } | undefined;
  nodes: { level: string; pos: string; hash: string };
  blocks: { number: string; hash: string; parentHash: string; logSize: string; root: string };
  /** Builds the error for a failure found while writing, naming this batch's range. */
  fail: (message: string, details?: string) => SelfCheckError;
};

/** Separates JSON records: ASCII "record separator", which JSON.stringify writes as \u001e. */
export const RECORD_SEPARATOR = "\x1e";
/** Entries per insert statement: no statement carries an unbounded amount of data. */
const CHUNK = 4_000;
/** Entries between two turns of the event loop (a few milliseconds of work). */
const YIELD_EVERY = 256;
/** A 32-byte hash as JSON-RPC writes it. */
const HASH = /^0x[0-9a-fA-F]{64}$/;

export async function prepareBatch(parameters: PrepareBatchParameters): Promise<PreparedBatch> {
  const { logs, headers, fromBlock, lastHeader, onChain, frontier } = parameters;
  const range = `blocks ${fromBlock}–${lastHeader.number}`;
  const fail = (message: string, details?: string) =>
    new SelfCheckError(`Self-check failed for ${range}: ${message}`, {
      details,
      fromBlock,
      toBlock: lastHeader.number,
    });

  const start = frontier.size;
  const chunks: EntryChunk[] = [];
  const streams = new Map<Hex, { firstIdx: bigint; firstPrev: bigint | null; count: number; lastIdx: bigint }>();
  let chainBreak: PreparedBatch["chainBreak"];
  const nodes = { level: new Column(), pos: new Column(), hash: new Column("") };
  const blocks = {
    number: new Column(),
    hash: new Column(""),
    parentHash: new Column(""),
    logSize: new Column(),
    root: new Column(""),
  };

  let columns = emptyColumns(start);
  for (const [i, log] of logs.entries()) {
    // Let the event loop in now and then: the batch before this one is being written meanwhile.
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await new Promise((resolve) => setImmediate(resolve));
    const expected = start + BigInt(i);
    if (log.index !== expected) {
      throw fail(
        log.index > expected ? `entry ${expected} is missing` : `entry ${log.index} appears twice or out of order`,
        `expected index ${expected}, the RPC returned ${log.index} (block ${log.blockNumber}, tx ${log.transactionHash})`,
      );
    }
    // The leaf after a 0x00 byte, ready for its RFC 6962 hash: SHA-256(0x00 ‖ leaf).
    const hex = log.leaf.slice(2);
    const prefixed = Buffer.allocUnsafe(1 + (hex.length >> 1));
    prefixed[0] = 0;
    // Writing stops at the first character that is not hex: a short write means a malformed leaf.
    if (prefixed.write(hex, 1, "hex") * 2 !== hex.length)
      throw fail(`entry ${log.index} is not hex`, log.leaf.slice(0, 80));
    const leaf = prefixed.subarray(1);
    let entry: ReturnType<typeof decodeLeafFast>;
    try {
      entry = decodeLeafFast(leaf);
    } catch (cause) {
      throw fail(`entry ${log.index} does not decode`, String(cause));
    }
    if (entry.index !== log.index) throw fail(`entry ${log.index} carries index ${entry.index} in its leaf`);
    // Laid end to end, a hash of the wrong length would shift every one after it.
    if (!HASH.test(log.transactionHash)) throw fail(`entry ${log.index} has no proper transaction hash`);
    const txHash = log.transactionHash.slice(2);

    const leafHash = hash("sha256", prefixed, "buffer");
    for (const node of frontier.append(leafHash)) {
      // The lowest levels are folded from leaf hashes when read, not stored (storedTree.ts).
      if (node.level < LOWEST_STORED_LEVEL) continue;
      nodes.level.push(node.level);
      nodes.pos.push(node.pos);
      nodes.hash.push(Buffer.from(node.hash.buffer, node.hash.byteOffset, node.hash.byteLength).toString("hex"));
    }

    columns.blockNumber.pushInteger(log.blockNumber);
    columns.txHash.push(txHash);
    columns.logIndex.push(log.logIndex);
    columns.kind.push(entry.kind);
    columns.actorOrg.pushInteger(entry.actorOrg);
    columns.ts.pushInteger(entry.timestamp);
    columns.leaf.push(hex);
    columns.leafOffset.push(columns.leafBytes);
    columns.leafLength.push(leaf.length);
    columns.leafBytes += leaf.length;
    columns.leafHash.push(leafHash.toString("hex"));
    columns.record.push(recordToJson(entry.record));
    for (const stream of entry.streams) {
      columns.streamId.push(stream.id.slice(2));
      columns.streamIdx.pushInteger(log.index);
      columns.streamPrev.push(stream.prevIndex ?? "NULL");
      const seen = streams.get(stream.id);
      if (seen === undefined) {
        streams.set(stream.id, { firstIdx: log.index, firstPrev: stream.prevIndex, count: 1, lastIdx: log.index });
        continue;
      }
      if (stream.prevIndex !== seen.lastIdx && chainBreak === undefined) {
        chainBreak = {
          index: log.index,
          message: `entry ${log.index} says the previous entry of stream ${stream.id} is ${stream.prevIndex}, the indexer has ${seen.lastIdx}`,
        };
      }
      seen.count += 1;
      seen.lastIdx = log.index;
    }
    columns.count += 1;
    if (columns.count === CHUNK) {
      chunks.push(joinColumns(columns));
      columns = emptyColumns(expected + 1n);
    }

    const next = logs[i + 1];
    if (!next || next.blockNumber !== log.blockNumber) {
      const header = headers.get(log.blockNumber) as BlockHeader;
      if (!HASH.test(header.hash) || !HASH.test(header.parentHash)) {
        throw fail(`block ${log.blockNumber} has no proper hash`, `${header.hash} ${header.parentHash}`);
      }
      blocks.number.push(log.blockNumber);
      blocks.hash.push(header.hash.slice(2));
      blocks.parentHash.push(header.parentHash.slice(2));
      blocks.logSize.push(frontier.size);
      blocks.root.push(bytesToHex(frontier.root()).slice(2));
    }
  }
  if (columns.count > 0) chunks.push(joinColumns(columns));

  const root = bytesToHex(frontier.root());
  if (frontier.size !== onChain.size || root !== onChain.root) {
    throw fail(
      `the chain's log has ${onChain.size} entries with root ${onChain.root}, the indexer rebuilt ${frontier.size} entries with root ${root}`,
      "a log was dropped or added between the node and the indexer; nothing of this range is stored",
    );
  }

  const s = {
    id: new Column(""),
    firstIdx: new Column(),
    firstPrev: new Column(),
    count: new Column(),
    lastIdx: new Column(),
  };
  let known = 0;
  for (const [id, stream] of streams) {
    s.id.push(id.slice(2));
    s.firstIdx.push(stream.firstIdx);
    s.firstPrev.push(stream.firstPrev ?? "NULL");
    s.count.push(stream.count);
    s.lastIdx.push(stream.lastIdx);
    if (stream.firstPrev !== null) known += 1;
  }
  return {
    fromBlock,
    lastHeader,
    entries: logs.length,
    logSize: frontier.size,
    chunks,
    streams: {
      id: s.id.join(),
      firstIdx: s.firstIdx.array(),
      firstPrev: s.firstPrev.array(),
      count: s.count.array(),
      lastIdx: s.lastIdx.array(),
      size: streams.size,
      known,
    },
    chainBreak,
    nodes: { level: nodes.level.array(), pos: nodes.pos.array(), hash: nodes.hash.join() },
    blocks: {
      number: blocks.number.array(),
      hash: blocks.hash.join(),
      parentHash: blocks.parentHash.join(),
      logSize: blocks.logSize.array(),
      root: blocks.root.join(),
    },
    fail,
  };
}

/**
 * A column's values, joined a few hundred at a time: the strings made per entry (hex, JSON) are
 * garbage again within milliseconds, and what lives on is a few long strings.
 */
class Column {
  private readonly parts: string[] = [];
  private pending: (string | bigint | number)[] = [];

  private readonly separator: string;

  constructor(separator = ",") {
    this.separator = separator;
  }

  push(value: string | bigint | number): void {
    this.pending.push(value);
    if (this.pending.length === SEGMENT) this.flush();
  }

  /** Pushes an integer, written in decimal once for a run of equal values (a block's number, its entries' time). */
  pushInteger(value: bigint): void {
    if (value !== this.last) {
      this.last = value;
      this.lastText = String(value);
    }
    this.push(this.lastText);
  }

  private last: bigint | undefined;
  private lastText = "";

  /** The values, separated. */
  join(): string {
    this.flush();
    return this.parts.join(this.separator);
  }

  /** The values as a PostgreSQL array literal. */
  array(): string {
    return `{${this.join()}}`;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.parts.push(this.pending.join(this.separator));
    this.pending = [];
  }
}

/** Values per join in a Column. */
const SEGMENT = 256;

type Columns = ReturnType<typeof emptyColumns>;

function emptyColumns(firstIdx: bigint) {
  return {
    firstIdx,
    count: 0,
    leafBytes: 0,
    blockNumber: new Column(),
    txHash: new Column(""),
    logIndex: new Column(),
    kind: new Column(),
    actorOrg: new Column(),
    ts: new Column(),
    leaf: new Column(""),
    leafOffset: new Column(),
    leafLength: new Column(),
    leafHash: new Column(""),
    record: new Column(RECORD_SEPARATOR),
    streamId: new Column(""),
    streamIdx: new Column(),
    streamPrev: new Column(),
  };
}

function joinColumns(c: Columns): EntryChunk {
  return {
    firstIdx: c.firstIdx,
    blockNumber: c.blockNumber.array(),
    txHash: c.txHash.join(),
    logIndex: c.logIndex.array(),
    kind: c.kind.array(),
    actorOrg: c.actorOrg.array(),
    ts: c.ts.array(),
    leaf: c.leaf.join(),
    leafOffset: c.leafOffset.array(),
    leafLength: c.leafLength.array(),
    leafHash: c.leafHash.join(),
    record: c.record.join(),
    streamId: c.streamId.join(),
    streamIdx: c.streamIdx.array(),
    streamPrev: c.streamPrev.array(),
  };
}
