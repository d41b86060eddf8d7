/**
 * Rebuilds the ledger from its leaves: checks every leaf's header (version, a known kind, its own
 * index, its streams and their back-pointers, each to the previous entry of that stream) and
 * recomputes every leaf hash and the RFC 6962 root. The hashing runs in worker threads over shared
 * memory, in aligned chunks (see merkleChunks.ts), while this thread checks the headers.
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { decodeLeaf, entryKind, NO_PREVIOUS } from "@shanji/core";
import type { Hex } from "viem";
import { CHUNK, chunkRoot, hashRange, reduceInPlace } from "./merkleChunks.ts";

export type RecomputeParameters = {
  count: number;
  data: Uint8Array;
  offsets: Float64Array;
  /** Also decode every payload strictly (slower; the header checks run anyway). */
  decode?: boolean;
  /** Collect the indexes of the entries of this stream (0x + 64 hex). */
  watchStream?: Hex | undefined;
  /** Worker threads (default: the cores, at most 4; 0 hashes in this thread). */
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
  threads: number;
};

const HEADER = 47;
const STREAM = 40;
const MAX_STREAMS = 4;
const KINDS = new Set<number>(Object.values(entryKind));

export async function recomputeLedger(p: RecomputeParameters): Promise<RecomputeReturnType> {
  const started = performance.now();
  const { count } = p;
  const chunks = Math.ceil(count / CHUNK);
  const threads = Math.min(p.threads ?? Math.min(availableParallelism(), 4), chunks);

  // Shared memory for the workers: the leaves, their offsets, and room for the hashes.
  const data = new Uint8Array(new SharedArrayBuffer(Math.max(1, p.data.byteLength)));
  data.set(p.data);
  const offsets = new Float64Array(new SharedArrayBuffer(8 * (count + 1)));
  offsets.set(p.offsets.subarray(0, count + 1));
  const hashes = new Uint8Array(new SharedArrayBuffer(Math.max(32, 32 * count)));

  const roots: Uint8Array[] = new Array(chunks);
  let hashing: Promise<void> = Promise.resolve();
  const workers: Worker[] = [];
  if (threads > 0) {
    hashing = new Promise<void>((resolve, reject) => {
      let pending = chunks;
      for (let w = 0; w < threads; w++) {
        const worker = new Worker(new URL("./hashLeavesWorker.ts", import.meta.url), {
          workerData: { data: data.buffer, offsets: offsets.buffer, hashes: hashes.buffer },
        });
        worker.on("message", (m: { chunk: number; root: Uint8Array }) => {
          roots[m.chunk] = m.root;
          pending -= 1;
          if (pending === 0) resolve();
        });
        worker.on("error", reject);
        workers.push(worker);
      }
      for (let c = 0; c < chunks; c++) {
        (workers[c % threads] as Worker).postMessage({
          chunk: c,
          start: c * CHUNK,
          end: Math.min(count, (c + 1) * CHUNK),
        });
      }
    });
  }

  // Meanwhile, the headers and back-pointers.
  const scan = checkHeaders(data, offsets, count, p.watchStream, p.decode ?? false);

  try {
    if (threads > 0) await hashing;
    else {
      for (let c = 0; c < chunks; c++) {
        const start = c * CHUNK;
        const end = Math.min(count, start + CHUNK);
        hashRange(data, offsets, hashes, start, end);
        roots[c] = chunkRoot(hashes, start, end);
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }

  let root: Uint8Array;
  if (count === 0) root = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(0)));
  else {
    const packed = new Uint8Array(32 * chunks);
    for (const [i, r] of roots.entries()) packed.set(r, 32 * i);
    reduceInPlace(packed, chunks);
    root = packed.slice(0, 32);
  }
  return {
    root: `0x${Buffer.from(root).toString("hex")}`,
    hashes,
    problem: scan.problem,
    watched: scan.watched,
    seconds: (performance.now() - started) / 1000,
    threads,
  };
}

function checkHeaders(
  data: Uint8Array,
  offsets: Float64Array,
  count: number,
  watchStream: Hex | undefined,
  decode: boolean,
) {
  const buffer = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const last = new Map<string, number>();
  const watchKey = watchStream ? Buffer.from(watchStream.slice(2), "hex").toString("latin1") : undefined;
  const watched: { index: number; prevIndex: number | null }[] = [];
  let problem: { index: number; reason: string } | undefined;
  for (let i = 0; i < count && !problem; i++) {
    const at = offsets[i] as number;
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
    const index = buffer.readBigUInt64BE(at + 2);
    if (index !== BigInt(i)) {
      bad(`the leaf says it is entry ${index}`);
      break;
    }
    const n = buffer[at + 46] as number;
    if (n < 1 || n > MAX_STREAMS || length < HEADER + STREAM * n) {
      bad(`${n} streams do not fit its leaf`);
      break;
    }
    for (let s = 0; s < n; s++) {
      const o = at + HEADER + STREAM * s;
      const key = buffer.toString("latin1", o, o + 32);
      const prev = buffer.readBigUInt64BE(o + 32);
      const expected = last.get(key);
      if (expected === undefined ? prev !== NO_PREVIOUS : prev !== BigInt(expected)) {
        bad(
          `its stream 0x${buffer.toString("hex", o, o + 32)} points back to ${prev === NO_PREVIOUS ? "nothing" : `entry ${prev}`}, ` +
            `but the stream's previous entry is ${expected === undefined ? "none" : expected}`,
        );
        break;
      }
      last.set(key, i);
      if (key === watchKey) watched.push({ index: i, prevIndex: expected ?? null });
    }
    if (!problem && decode) {
      try {
        decodeLeaf(data.subarray(at, at + length));
      } catch (error) {
        bad(`its leaf does not decode: ${(error as Error).message}`);
      }
    }
  }
  return { problem, watched };
}
