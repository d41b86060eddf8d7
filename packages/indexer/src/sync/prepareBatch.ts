/**
 * Checks one batch of EntryAppended logs without the store, and lays it out for writing. The
 * entry indexes must follow on from the stored log, every leaf must decode and carry its own
 * index, the streams' back-pointers must chain within the batch, and the Merkle root rebuilt from
 * the stored peaks plus the new leaves must equal the chain's `root()` at the batch's last block.
 * A leaf that does not decode fails the batch either way; the root says whose fault it is: the
 * RPC's (the batch is read again), or nobody's that a retry could mend (the chain holds an entry
 * this indexer cannot read, so it stops and says so).
 * What only the store can tell — whether each stream's first back-pointer in the batch names the
 * stream's last stored entry — is checked by writeBatch, in the transaction that writes it.
 *
 * The result holds the batch as one value per column (PostgreSQL array literals, bytes laid end to
 * end in one buffer, JSON records one after another as UTF-8), not as objects per entry: the
 * decoded entries die young, and a batch waiting to be written is a handful of long strings and
 * buffers instead of tens of thousands of small objects for the garbage collector to copy. The
 * bytes go to the database as they are (a bytea parameter travels in binary): no hex to write here
 * and to decode there, and half the bytes on the wire. So do the records, as a text parameter in
 * the binary format, which for text is its UTF-8 bytes: each record is written once, into the
 * buffer the driver sends, rather than joined into ever longer strings that the driver then encodes.
 */
import { bytesToHex, type Hex, isHash } from "viem";
// Not in @shanji/core's entry point (yet): decodeLeaf without the operator's EIP-55 checksum, which
// the indexer never stores and which cost a keccak-256 per entry.
import { type DecodeLeafFastReturnType, decodeLeafFast } from "../../../core/src/encoding/decodeLeafFast.ts";
import type { BlockHeader, EntryLog } from "../chain/createChainReader.ts";
import { IndexerError, SelfCheckError } from "../errors.ts";
import { LOWEST_STORED_LEVEL } from "../proofs/storedTree.ts";
import { recordToJson } from "../store/recordJson.ts";
import { type MerkleFrontier, sha256 } from "./merkleFrontier.ts";

/**
 * What the node says about a batch's blocks, apart from their logs. The blocks' hashes are the ones
 * their logs carry (the root, checked in the last block's state, vouches for every leaf). Headers
 * are asked for where a reorg may still replace a block while the batch is read (near the head) and
 * for the last block; a block's logs must then carry its header's hash.
 */
export type ChainView = {
  /** Headers of the last block and of the blocks with logs near the head. */
  headers: ReadonlyMap<bigint, BlockHeader>;
  lastHeader: BlockHeader;
  /** The log's size and root at the last block. */
  onChain: { size: bigint; root: Hex };
  /**
   * The headers of every block with logs, asked for when the batch fails its self-check: a block
   * replaced while the batch was read explains the failure (the batch is read again).
   */
  everyHeader: () => Promise<ReadonlyMap<bigint, BlockHeader>>;
};

export type PrepareBatchParameters = {
  /** The logs of blocks fromBlock…lastBlock, in chain order. */
  logs: readonly EntryLog[];
  fromBlock: bigint;
  lastBlock: bigint;
  /**
   * The headers and the root, still being fetched: awaited once the logs are laid out, so that the
   * node answers while this process works.
   */
  chain: Promise<ChainView>;
  /** The stored log's frontier: advanced in place over the batch (discard it if this throws). */
  frontier: MerkleFrontier;
  /**
   * Called with each entry once it has decoded and carries the index due, in log order (the views'
   * fold during a backfill). The batch may still fail its checks after: the caller must not count
   * what it was given until the batch is written.
   */
  onEntry?: ((entry: DecodeLeafFastReturnType) => void) | undefined;
  /** Entries per insert statement; ENTRIES_PER_STATEMENT unless set. */
  entriesPerStatement?: number | undefined;
};

/**
 * Up to `entriesPerStatement` consecutive entries as SQL parameters. Integers are array literals
 * (`{1,2,NULL}`); fixed-size byte strings are laid end to end in one buffer (32 bytes each); JSON
 * records are UTF-8 in one buffer, separated by RECORD_SEPARATOR, a character JSON.stringify always
 * escapes inside strings.
 */
export type EntryChunk = {
  /** The first entry's index; the others follow one by one. */
  firstIdx: bigint;
  blockNumber: string;
  txHash: Buffer;
  logIndex: string;
  kind: string;
  actorOrg: string;
  ts: string;
  /** The leaves end to end, and each leaf's byte offset and length in it. */
  leaf: Buffer;
  leafOffset: string;
  leafLength: string;
  leafHash: Buffer;
  /** The records' JSON as UTF-8, RECORD_SEPARATOR between one and the next: a text parameter's bytes. */
  record: Buffer;
  /** One row per (entry, stream): stream id, entry index, the entry's back-pointer. */
  streamId: Buffer;
  streamIdx: string;
  streamPrev: string;
};

/**
 * Per stream: its first entry in the batch, that entry's back-pointer (NULL for a new stream), and
 * the stream's count and last entry in the batch.
 */
export type StreamColumns = {
  id: Buffer;
  firstIdx: string;
  firstPrev: string;
  count: string;
  lastIdx: string;
  size: number;
};

export type PreparedBatch = {
  fromBlock: bigint;
  lastHeader: BlockHeader;
  entries: number;
  /** The log's size after the batch. */
  logSize: bigint;
  chunks: EntryChunk[];
  /**
   * The streams the batch touches, in two groups: `known` ones, whose first entry here points back
   * to an earlier entry (they must exist in the store already), and `added` ones, which start here
   * (they must not). Apart, so that the database is told how few known streams it has to look up.
   */
  streams: { known: StreamColumns; added: StreamColumns };
  /**
   * The first entry whose back-pointer does not follow the batch's own previous entry of the
   * stream; reported only if the store finds no earlier break.
   */
  chainBreak: { index: bigint; message: string } | undefined;
  nodes: { level: string; pos: string; hash: Buffer };
  blocks: { number: string; hash: Buffer; logSize: string; root: Buffer };
  /** Builds the error for a failure found while writing, naming this batch's range. */
  fail: (message: string, details?: string) => SelfCheckError;
};

/** Separates JSON records: ASCII "record separator", which JSON.stringify writes as \u001e. */
export const RECORD_SEPARATOR = "\x1e";
const RECORD_SEPARATOR_BYTE = RECORD_SEPARATOR.charCodeAt(0);
/**
 * Entries per insert statement unless told otherwise: no statement carries an unbounded amount of
 * data (~7 MB of parameters on the benchmark's chain, where an entry's leaf is 293 bytes, its record
 * ~440 bytes of JSON, its hashes and two streams ~130 bytes), yet a batch (one eth_getLogs answer,
 * kept well under 10 MiB) is mostly one statement. Against 4,000, which split most of the benchmark's batches in two, a
 * backfill into PostgreSQL ran 4% faster (eight pairs, 2026-11-28).
 */
export const ENTRIES_PER_STATEMENT = 8_000;
/** Entries between two turns of the event loop (a few milliseconds of work). */
const YIELD_EVERY = 256;

export async function prepareBatch(parameters: PrepareBatchParameters): Promise<PreparedBatch> {
  try {
    return await layOut(parameters);
  } catch (error) {
    if (!(error instanceof SelfCheckError)) throw error;
    // A self-check failure counts only against blocks the node still vouches for. A block replaced
    // while the batch was read explains it: the batch is read again. So might a node that did not
    // answer: its failure is what is reported (and retried).
    const view = await parameters.chain;
    throwIfMoved(parameters.logs, await view.everyHeader());
    throw error;
  }
}

async function layOut(parameters: PrepareBatchParameters): Promise<PreparedBatch> {
  const { logs, fromBlock, lastBlock, frontier, onEntry, entriesPerStatement = ENTRIES_PER_STATEMENT } = parameters;
  const range = `blocks ${fromBlock}–${lastBlock}`;
  const fail = (message: string, details?: string) =>
    new SelfCheckError(`Self-check failed for ${range}: ${message}`, {
      details,
      fromBlock,
      toBlock: lastBlock,
    });

  const start = frontier.size;
  const chunks: EntryChunk[] = [];
  const streams = new Map<Hex, StreamInBatch>();
  let chainBreak: PreparedBatch["chainBreak"];
  const nodes = { level: new Column(), pos: new Column(), hash: new Bytes() };
  const blocks = { number: new Column(), hash: new Bytes(), logSize: new Column(), root: new Bytes() };

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
    const prefixed = prefixedLeaf(log.leafHex);
    if (prefixed === undefined) throw fail(`entry ${log.index} is not hex`, log.leafHex.slice(0, 80));
    const leaf = prefixed.subarray(1);
    let entry: DecodeLeafFastReturnType;
    try {
      entry = decodeLeafFast(leaf);
    } catch (cause) {
      throw await undecodable(parameters, i, log.index, cause, fail);
    }
    if (entry.index !== log.index) throw fail(`entry ${log.index} carries index ${entry.index} in its leaf`);
    onEntry?.(entry);
    // Laid end to end, a hash of the wrong length would shift every one after it.
    if (!columns.txHash.pushHash(log.transactionHash)) throw fail(`entry ${log.index} has no proper transaction hash`);

    const leafHash = sha256(prefixed);
    for (const node of frontier.append(leafHash)) {
      // The lowest levels are folded from leaf hashes when read, not stored (storedTree.ts).
      if (node.level < LOWEST_STORED_LEVEL) continue;
      nodes.level.push(node.level);
      nodes.pos.push(node.pos);
      nodes.hash.push(node.hash);
    }

    columns.blockNumber.pushInteger(log.blockNumber);
    columns.logIndex.push(log.logIndex);
    columns.kind.push(entry.kind);
    columns.actorOrg.pushInteger(entry.actorOrg);
    columns.ts.pushInteger(entry.timestamp);
    columns.leafOffset.push(columns.leaf.length);
    columns.leafLength.push(leaf.length);
    columns.leaf.push(leaf);
    columns.leafHash.push(leafHash);
    columns.record.pushText(recordToJson(entry.record), RECORD_SEPARATOR_BYTE);
    for (const stream of entry.streams) {
      if (!columns.streamId.pushHash(stream.id)) throw fail(`entry ${log.index} names a stream that is not 32 bytes`);
      columns.streamIdx.pushInteger(log.index);
      columns.streamPrev.push(stream.prevIndex ?? "NULL");
      const seen = streams.get(stream.id);
      if (seen === undefined) {
        // Its id's bytes, as just laid out in the chunk (which only ever grows), for the streams' columns.
        const id = columns.streamId.last(32);
        streams.set(stream.id, { id, firstIdx: log.index, firstPrev: stream.prevIndex, count: 1, lastIdx: log.index });
        continue;
      }
      // The log refuses such an entry; the key of entry_streams may be set aside (deferIndexes.ts).
      if (seen.lastIdx === log.index) throw fail(`entry ${log.index} names stream ${stream.id} twice`);
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
    if (columns.count === entriesPerStatement) {
      chunks.push(joinColumns(columns));
      columns = emptyColumns(expected + 1n);
    }

    const next = logs[i + 1];
    if (next?.blockNumber === log.blockNumber && next.blockHash !== log.blockHash) {
      throw changedWhileRead(log.blockNumber, "its logs name two block hashes");
    }
    if (!next || next.blockNumber !== log.blockNumber) {
      if (!blocks.hash.pushHash(log.blockHash))
        throw fail(`block ${log.blockNumber} has no proper hash`, log.blockHash);
      blocks.number.push(log.blockNumber);
      blocks.logSize.push(frontier.size);
      blocks.root.push(frontier.root());
    }
  }
  if (columns.count > 0) chunks.push(joinColumns(columns));

  const { headers, lastHeader, onChain } = await parameters.chain;
  throwIfMoved(logs, headers);
  // The cursor moves to this block: its hash is stored, and asked for again at the next step.
  if (!isHash(lastHeader.hash)) {
    throw fail(`block ${lastHeader.number} has no proper hash`, lastHeader.hash);
  }

  const root = bytesToHex(frontier.root());
  if (frontier.size !== onChain.size || root !== onChain.root) {
    throw fail(
      `the chain's log has ${onChain.size} entries with root ${onChain.root}, the indexer rebuilt ${frontier.size} entries with root ${root}`,
      "a log was dropped or added between the node and the indexer; nothing of this range is stored",
    );
  }

  const known = new StreamColumnsBuilder();
  const added = new StreamColumnsBuilder();
  for (const stream of streams.values()) (stream.firstPrev === null ? added : known).push(stream);
  return {
    fromBlock,
    lastHeader,
    entries: logs.length,
    logSize: frontier.size,
    chunks,
    streams: { known: known.columns(), added: added.columns() },
    chainBreak,
    nodes: { level: nodes.level.array(), pos: nodes.pos.array(), hash: nodes.hash.bytes() },
    blocks: {
      number: blocks.number.array(),
      hash: blocks.hash.bytes(),
      logSize: blocks.logSize.array(),
      root: blocks.root.bytes(),
    },
    fail,
  };
}

/**
 * The error for the batch's log `at`, which does not decode. The rest of the batch is hashed on, and
 * if the root comes out as the chain's, the leaf is the chain's own: an entry kind or leaf version
 * newer than this indexer, which no refetch changes. Otherwise the RPC's answer is at fault, as in
 * any failed self-check.
 */
async function undecodable(
  parameters: PrepareBatchParameters,
  at: number,
  index: bigint,
  cause: unknown,
  fail: (message: string, details?: string) => SelfCheckError,
): Promise<IndexerError> {
  const { logs, frontier, lastBlock } = parameters;
  const reason = cause instanceof Error ? cause.message : String(cause);
  for (const log of logs.slice(at)) {
    const prefixed = prefixedLeaf(log.leafHex);
    if (log.index !== frontier.size || prefixed === undefined) break;
    frontier.append(sha256(prefixed));
  }
  const { onChain } = await parameters.chain;
  if (frontier.size !== onChain.size || bytesToHex(frontier.root()) !== onChain.root) {
    return fail(`entry ${index} does not decode`, reason);
  }
  return new IndexerError(`Entry ${index} is on the chain, but this indexer cannot read it: ${reason}`, {
    details: `The log's root at block ${lastBlock} covers it as the node returned it, so reading it again would not help. A newer Shanji may know it; nothing from this batch on is stored.`,
  });
}

/**
 * The leaf's bytes after a 0x00 byte, ready for its RFC 6962 hash, SHA-256(0x00 ‖ leaf); undefined
 * if its hex is malformed (writing stops at the first character that is not hex).
 */
function prefixedLeaf(hex: string): Buffer | undefined {
  const prefixed = Buffer.allocUnsafe(1 + (hex.length >> 1));
  prefixed[0] = 0;
  return prefixed.write(hex, 1, "hex") * 2 === hex.length ? prefixed : undefined;
}

/**
 * Throws for the first block whose header has another hash than its logs: the block was replaced
 * while the batch was read. Blocks without a header here are not checked.
 */
function throwIfMoved(logs: readonly EntryLog[], headers: ChainView["headers"]): void {
  const moved = logs.find((log) => {
    const header = headers.get(log.blockNumber);
    return header !== undefined && header.hash !== log.blockHash;
  });
  if (moved !== undefined) throw changedWhileRead(moved.blockNumber, "a reorg");
}

/** A block replaced while the batch was read: not a fault of the chain's, the batch is read again. */
function changedWhileRead(blockNumber: bigint, why: string): IndexerError {
  return new IndexerError(`Block ${blockNumber} changed while it was read (${why}); reading it again.`, {
    retryable: true,
  });
}

/**
 * A column's values, joined a few hundred at a time: the strings made per entry (numbers) are
 * garbage again within milliseconds, and what lives on is a few long strings.
 */
class Column {
  private readonly parts: string[] = [];
  private pending: (string | bigint | number)[] = [];

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

  /** The values as a PostgreSQL array literal. */
  array(): string {
    this.flush();
    return `{${this.parts.join(",")}}`;
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.parts.push(this.pending.join(","));
    this.pending = [];
  }
}

/** Byte strings laid end to end in one buffer, which grows as they come. */
class Bytes {
  private buffer = Buffer.allocUnsafe(4_096);
  /** Bytes so far. */
  length = 0;
  /** Texts appended so far (pushText). */
  private texts = 0;

  push(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  /** Appends text as UTF-8, after the byte `separator` unless it is the first text appended. */
  pushText(text: string, separator: number): void {
    // At most 3 bytes of UTF-8 for each UTF-16 code unit (a surrogate pair: 4 bytes for two).
    this.reserve(1 + 3 * text.length);
    if (this.texts++ > 0) this.buffer[this.length++] = separator;
    this.length += this.buffer.write(text, this.length, "utf8");
  }

  /** Appends a 32-byte hash given as 0x and 64 hex digits; false (and nothing appended) if it is not one. */
  pushHash(hex: string): boolean {
    if (hex.length !== 66 || !hex.startsWith("0x")) return false;
    this.reserve(32);
    // Writing stops at the first character that is not hex: a short write means a malformed hash.
    if (this.buffer.write(hex.slice(2), this.length, "hex") !== 32) return false;
    this.length += 32;
    return true;
  }

  bytes(): Buffer {
    return this.buffer.subarray(0, this.length);
  }

  /** The last `size` bytes appended, as a view (bytes once appended never change). */
  last(size: number): Buffer {
    return this.buffer.subarray(this.length - size, this.length);
  }

  private reserve(size: number): void {
    if (this.length + size <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(2 * this.buffer.length, this.length + size));
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }
}

/** A stream the batch names: its id's 32 bytes, its first entry here and that entry's back-pointer, its count and last entry here. */
type StreamInBatch = { id: Buffer; firstIdx: bigint; firstPrev: bigint | null; count: number; lastIdx: bigint };

/** Streams as StreamColumns. */
class StreamColumnsBuilder {
  private readonly id = new Bytes();
  private readonly firstIdx = new Column();
  private readonly firstPrev = new Column();
  private readonly count = new Column();
  private readonly lastIdx = new Column();
  private size = 0;

  push(stream: StreamInBatch): void {
    this.id.push(stream.id);
    this.firstIdx.push(stream.firstIdx);
    this.firstPrev.push(stream.firstPrev ?? "NULL");
    this.count.push(stream.count);
    this.lastIdx.push(stream.lastIdx);
    this.size += 1;
  }

  columns(): StreamColumns {
    return {
      id: this.id.bytes(),
      firstIdx: this.firstIdx.array(),
      firstPrev: this.firstPrev.array(),
      count: this.count.array(),
      lastIdx: this.lastIdx.array(),
      size: this.size,
    };
  }
}

/** Values per join in a Column. */
const SEGMENT = 256;

type Columns = ReturnType<typeof emptyColumns>;

function emptyColumns(firstIdx: bigint) {
  return {
    firstIdx,
    count: 0,
    blockNumber: new Column(),
    txHash: new Bytes(),
    logIndex: new Column(),
    kind: new Column(),
    actorOrg: new Column(),
    ts: new Column(),
    leaf: new Bytes(),
    leafOffset: new Column(),
    leafLength: new Column(),
    leafHash: new Bytes(),
    record: new Bytes(),
    streamId: new Bytes(),
    streamIdx: new Column(),
    streamPrev: new Column(),
  };
}

function joinColumns(c: Columns): EntryChunk {
  return {
    firstIdx: c.firstIdx,
    blockNumber: c.blockNumber.array(),
    txHash: c.txHash.bytes(),
    logIndex: c.logIndex.array(),
    kind: c.kind.array(),
    actorOrg: c.actorOrg.array(),
    ts: c.ts.array(),
    leaf: c.leaf.bytes(),
    leafOffset: c.leafOffset.array(),
    leafLength: c.leafLength.array(),
    leafHash: c.leafHash.bytes(),
    record: c.record.bytes(),
    streamId: c.streamId.bytes(),
    streamIdx: c.streamIdx.array(),
    streamPrev: c.streamPrev.array(),
  };
}
