/**
 * Rebuilds the ledger from its leaves: checks every leaf's header (version, a known kind, its own
 * index, its streams and their back-pointers, each to the previous entry of that stream) and
 * recomputes every leaf hash and the RFC 6962 root. The hashing runs in worker threads over shared
 * memory, in aligned chunks taken off a shared counter (see merkleChunks.ts); this thread checks
 * the headers meanwhile, then takes chunks too, so that threads slowed by a busy machine are
 * made up for by the others.
 */
import { hash } from "node:crypto";
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { decodeLeaf, entryKind, NO_PREVIOUS } from "@shanji/core";
import type { Hex } from "viem";
import { CHUNK, hashChunks, reduceInPlace, type SharedLeaves } from "./merkleChunks.ts";

export type RecomputeParameters = {
  count: number;
  /** The leaves as LedgerLeaves lays them out: each behind a 0x00 byte, leaf i is data[offsets[i] + 1, offsets[i+1]). */
  data: Uint8Array;
  offsets: Float64Array;
  /** Also decode every payload strictly (slower; the header checks run anyway). */
  decode?: boolean;
  /** Collect the indexes of the entries of this stream (0x + 64 hex). */
  watchStream?: Hex | undefined;
  /** Worker threads besides this one (default: the cores, at most 4; 0 hashes in this thread only). */
  threads?: number;
};

export type RecomputeReturnType = {
  root: Hex;
  /** Leaf hashes, packed: leaf i at 32·i. */
  hashes: Uint8Array;
  /** The first leaf whose bytes or back-pointers are wrong. */
  problem: { index: number; reason: string } | undefined;
  /** Entries of watchStream, in order, with the back-pointer each gives. */
  watched: { index: number; prevIndex: number | null }[];
  seconds: number;
  /** CPU seconds the process spent meanwhile, all threads: what the recompute costs, however busy the machine. */
  cpuSeconds: number;
  threads: number;
};

const HEADER = 47;
const STREAM = 40;
const MAX_STREAMS = 4;
const KINDS = new Set<number>(Object.values(entryKind));

export async function recomputeLedger(p: RecomputeParameters): Promise<RecomputeReturnType> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  const { count } = p;
  const chunks = Math.ceil(count / CHUNK);
  const threads = Math.min(p.threads ?? Math.min(availableParallelism(), 4), chunks);

  // Shared memory for the workers: the leaves and their offsets (fetchLedgerLogs already gives
  // them shared; anything else is copied once), room for the hashes and chunk roots, the counter.
  const shared: SharedLeaves = {
    count,
    data: inSharedMemory(p.data, Uint8Array),
    offsets: inSharedMemory(p.offsets.subarray(0, count + 1), Float64Array),
    hashes: new Uint8Array(new SharedArrayBuffer(Math.max(32, 32 * count))),
    roots: new Uint8Array(new SharedArrayBuffer(Math.max(32, 32 * chunks))),
    next: new Int32Array(new SharedArrayBuffer(4)),
  };

  const workers: Worker[] = [];
  const hashing = Array.from({ length: threads }, () => {
    const worker = new Worker(new URL("./hashLeavesWorker.ts", import.meta.url), { workerData: shared });
    workers.push(worker);
    return new Promise<void>((resolve, reject) => {
      worker.once("message", () => resolve());
      worker.once("error", reject);
      worker.once("exit", (code) => reject(new Error(`a hashing thread stopped (exit ${code})`)));
    });
  });

  try {
    // Meanwhile this thread checks the headers and back-pointers, then takes chunks like the workers.
    const scan = checkHeaders(shared.data, shared.offsets, count, p.watchStream, p.decode ?? false);
    hashChunks(shared);
    await Promise.all(hashing);
    await stop(workers);

    let root: Uint8Array;
    if (count === 0) root = hash("sha256", new Uint8Array(0), "buffer");
    else {
      const packed = shared.roots.slice(0, 32 * chunks);
      reduceInPlace(packed, chunks);
      root = packed.subarray(0, 32);
    }
    return {
      root: `0x${Buffer.from(root).toString("hex")}`,
      hashes: shared.hashes,
      problem: scan.problem,
      watched: scan.watched,
      seconds: (performance.now() - started) / 1000,
      cpuSeconds: cpuSecondsSince(cpu),
      threads,
    };
  } finally {
    await stop(workers);
  }
}

async function stop(workers: Worker[]): Promise<void> {
  for (const w of workers) w.removeAllListeners("exit");
  await Promise.all(workers.map((w) => w.terminate()));
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

/** The array itself when its memory is already shared, else a copy in shared memory. */
function inSharedMemory<T extends Uint8Array | Float64Array>(
  array: T,
  Type: { new (buffer: SharedArrayBuffer): T; BYTES_PER_ELEMENT: number },
): T {
  if (array.buffer instanceof SharedArrayBuffer) return array;
  const copy = new Type(new SharedArrayBuffer(Math.max(Type.BYTES_PER_ELEMENT, array.byteLength)));
  copy.set(array as never);
  return copy.subarray(0, array.length) as T;
}

type HeaderScan = {
  problem: { index: number; reason: string } | undefined;
  watched: { index: number; prevIndex: number | null }[];
};

/** The quick check when it passes (the common case), else the exact scan, which words the first problem. */
function checkHeaders(
  data: Uint8Array,
  offsets: Float64Array,
  count: number,
  watchStream: Hex | undefined,
  decode: boolean,
): HeaderScan {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const watchKey = watchStream ? Buffer.from(watchStream.slice(2), "hex") : undefined;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const watched = decode ? undefined : quickCheck(view, buffer, offsets, count, watchKey);
  return watched ? { problem: undefined, watched } : scanHeaders(buffer, offsets, count, watchKey, decode);
}

/** Entry kinds by number, as a table: a lookup per entry. */
const KNOWN_KIND = new Uint8Array(256);
for (const k of KINDS) KNOWN_KIND[k] = 1;

/**
 * The headers and back-pointers checked in one pass without a table of every stream's last entry
 * (two million streams in a million entries; keeping them cost seconds). The back-pointers are all
 * right exactly when (a) each points to an earlier entry that has the same stream, (b) no entry's
 * stream is pointed to twice and (c) no stream starts (points to nothing) twice: each stream's
 * pointers then form a single chain, strictly decreasing, through all of its entries, which is
 * its entries in order. Returns the watched stream's entries, or undefined at anything off (then
 * the exact scan finds and words the first problem).
 */
function quickCheck(
  view: DataView,
  buffer: Buffer,
  offsets: Float64Array,
  count: number,
  watchKey: Buffer | undefined,
): HeaderScan["watched"] | undefined {
  /** Bit t of entry p: some later entry points to stream t of entry p. */
  const pointedAt = new Uint8Array(count);
  // Most entries start a stream of their own (a donation's record stream): room for one each.
  const starts = createIdSet(view, 2 * count);
  const same = sameId(view);
  const watchHead = watchKey ? watchKey.readUInt32LE(0) : -1;
  const watched: HeaderScan["watched"] = [];
  for (let i = 0; i < count; i++) {
    const at = (offsets[i] as number) + 1;
    const length = (offsets[i + 1] as number) - at;
    if (length < HEADER || view.getUint8(at) !== 1 || KNOWN_KIND[view.getUint8(at + 1)] !== 1) return undefined;
    if (view.getUint32(at + 2) !== Math.floor(i / 2 ** 32) || view.getUint32(at + 6) !== i % 2 ** 32) return undefined;
    const n = view.getUint8(at + 46);
    if (n < 1 || n > MAX_STREAMS || length < HEADER + STREAM * n) return undefined;
    for (let s = 0; s < n; s++) {
      const o = at + HEADER + STREAM * s;
      // A stream named twice by one entry is left to the exact scan.
      for (let t = 0; t < s; t++) if (same(at + HEADER + STREAM * t, o)) return undefined;
      const high = view.getUint32(o + 32);
      const low = view.getUint32(o + 36);
      let prev = -1;
      if (high === 0xffffffff && low === 0xffffffff) {
        if (!starts.add(o)) return undefined;
      } else {
        prev = high * 2 ** 32 + low;
        if (prev >= i) return undefined;
        const pa = (offsets[prev] as number) + 1;
        const pn = view.getUint8(pa + 46);
        let t = 0;
        while (t < pn && !same(pa + HEADER + STREAM * t, o)) t++;
        if (t === pn || ((pointedAt[prev] as number) & (1 << t)) !== 0) return undefined;
        pointedAt[prev] = (pointedAt[prev] as number) | (1 << t);
      }
      if (watchKey && view.getUint32(o, true) === watchHead && watchKey.compare(buffer, o, o + 32) === 0)
        watched.push({ index: i, prevIndex: prev === -1 ? null : prev });
    }
  }
  return watched;
}

/** Whether the 32-byte ids at two offsets of the data are equal. */
function sameId(view: DataView) {
  return (a: number, b: number) => {
    for (let k = 0; k < 32; k += 4) if (view.getUint32(a + k) !== view.getUint32(b + k)) return false;
    return true;
  };
}

/**
 * A set of 32-byte ids that sit in the data, by their offsets: open addressing over a typed
 * array, grown at half full. Ids are keccak outputs, so their first four bytes are a good hash.
 */
function createIdSet(view: DataView, expected: number) {
  const same = sameId(view);
  let capacity = 2 ** Math.max(10, Math.ceil(Math.log2(2 * expected + 1)));
  let size = 0;
  /** Offset of the id in `buffer`, plus one (0 = empty slot). */
  let slots = new Float64Array(capacity);
  const place = (table: Float64Array, mask: number, at: number): boolean => {
    let slot = view.getUint32(at, true) & mask;
    for (;;) {
      const stored = table[slot] as number;
      if (stored === 0) {
        table[slot] = at + 1;
        return true;
      }
      if (same(stored - 1, at)) return false;
      slot = (slot + 1) & mask;
    }
  };
  return {
    /** Adds the id at `at`; false if it was there already. */
    add(at: number): boolean {
      if (2 * (size + 1) > capacity) {
        const grown = new Float64Array(2 * capacity);
        for (let k = 0; k < capacity; k++) {
          const stored = slots[k] as number;
          if (stored !== 0) place(grown, 2 * capacity - 1, stored - 1);
        }
        capacity *= 2;
        slots = grown;
      }
      if (!place(slots, capacity - 1, at)) return false;
      size += 1;
      return true;
    },
  };
}

/** The exact scan: every stream's last entry in a table, each back-pointer compared with it. */
function scanHeaders(
  buffer: Buffer,
  offsets: Float64Array,
  count: number,
  watchKey: Buffer | undefined,
  decode: boolean,
): HeaderScan {
  const streams = createStreamTable(buffer, count);
  const watched: { index: number; prevIndex: number | null }[] = [];
  let problem: { index: number; reason: string } | undefined;
  for (let i = 0; i < count && !problem; i++) {
    const at = (offsets[i] as number) + 1;
    const length = (offsets[i + 1] as number) - at;
    const bad = (reason: string) => {
      problem = { index: i, reason: `entry ${i}: ${reason}` };
    };
    if (length < HEADER) {
      bad(`its leaf is ${length} bytes, shorter than a header`);
      break;
    }
    if (buffer[at] !== 1) {
      bad(`unknown leaf version ${buffer[at]}`);
      break;
    }
    if (!KINDS.has(buffer[at + 1] as number)) {
      bad(`unknown entry kind ${buffer[at + 1]}`);
      break;
    }
    // The index, as two 32-bit halves (no BigInt per entry).
    if (buffer.readUInt32BE(at + 2) !== Math.floor(i / 2 ** 32) || buffer.readUInt32BE(at + 6) !== i % 2 ** 32) {
      bad(`the leaf says it is entry ${buffer.readBigUInt64BE(at + 2)}`);
      break;
    }
    const n = buffer[at + 46] as number;
    if (n < 1 || n > MAX_STREAMS || length < HEADER + STREAM * n) {
      bad(`${n} streams do not fit its leaf`);
      break;
    }
    for (let s = 0; s < n; s++) {
      const o = at + HEADER + STREAM * s;
      const expected = streams.swapLast(o, i);
      const high = buffer.readUInt32BE(o + 32);
      const low = buffer.readUInt32BE(o + 36);
      const none = high === 0xffffffff && low === 0xffffffff;
      const matches = expected === -1 ? none : !none && high * 2 ** 32 + low === expected;
      if (!matches) {
        const prev = buffer.readBigUInt64BE(o + 32);
        bad(
          `its stream 0x${buffer.toString("hex", o, o + 32)} points back to ${prev === NO_PREVIOUS ? "nothing" : `entry ${prev}`}, ` +
            `but the stream's previous entry is ${expected === -1 ? "none" : expected}`,
        );
        break;
      }
      if (watchKey && buffer.compare(watchKey, 0, 32, o, o + 32) === 0)
        watched.push({ index: i, prevIndex: expected === -1 ? null : expected });
    }
    if (!problem && decode) {
      try {
        decodeLeaf(buffer.subarray(at, at + length));
      } catch (error) {
        bad(`its leaf does not decode: ${(error as Error).message}`);
      }
    }
  }
  return { problem, watched };
}

/**
 * The last entry of every stream seen so far, in an open-addressing table over typed arrays: a
 * million entries name two million streams, and a Map keyed by strings spent seconds allocating
 * them. Stream ids are keccak outputs, so their first four bytes are a good hash; a slot keeps
 * where the id sits in the leaf data (to compare all 32 bytes) and the stream's last index.
 */
function createStreamTable(buffer: Buffer, count: number) {
  const capacity = 2 ** Math.max(10, Math.ceil(Math.log2(Math.max(1, count) * MAX_STREAMS * 1.5)));
  const mask = capacity - 1;
  /** Byte offset of the stream id in `buffer`, plus one (0 = empty slot). */
  const idAt = new Float64Array(capacity);
  const last = new Float64Array(capacity);
  const same = (a: number, b: number) => {
    for (let k = 0; k < 32; k += 4) if (buffer.readUInt32LE(a + k) !== buffer.readUInt32LE(b + k)) return false;
    return true;
  };
  return {
    /** Sets the stream at byte `at` to entry `index`; returns its previous last entry, or -1. */
    swapLast(at: number, index: number): number {
      let slot = buffer.readUInt32LE(at) & mask;
      for (;;) {
        const stored = idAt[slot] as number;
        if (stored === 0) {
          idAt[slot] = at + 1;
          last[slot] = index;
          return -1;
        }
        if (same(stored - 1, at)) {
          const previous = last[slot] as number;
          last[slot] = index;
          return previous;
        }
        slot = (slot + 1) & mask;
      }
    },
  };
}
