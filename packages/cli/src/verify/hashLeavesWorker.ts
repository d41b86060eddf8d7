/**
 * Worker of hashLeaves: hashes the leaves of the chunks it is given (SHA-256(0x00 ‖ leaf), into
 * the shared leaf-hash buffer) and reduces each chunk to its RFC 6962 subtree root. Only node
 * built-ins here: it runs as its own module in a worker thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { chunkRoot, hashRange } from "./merkleChunks.ts";

type Shared = { data: SharedArrayBuffer; offsets: SharedArrayBuffer; hashes: SharedArrayBuffer };

const shared = workerData as Shared;
const data = new Uint8Array(shared.data);
const offsets = new Float64Array(shared.offsets);
const hashes = new Uint8Array(shared.hashes);

parentPort?.on("message", (task: { chunk: number; start: number; end: number }) => {
  hashRange(data, offsets, hashes, task.start, task.end);
  parentPort?.postMessage({ chunk: task.chunk, root: chunkRoot(hashes, task.start, task.end) });
});
