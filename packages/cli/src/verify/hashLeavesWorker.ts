/**
 * Worker of recomputeLedger: takes chunks of leaves off the shared counter, hashes them
 * (SHA-256(0x00 ‖ leaf), into the shared leaf-hash buffer) and stores each chunk's RFC 6962 root,
 * then says it is done. Everything lives in shared memory; nothing is copied between threads.
 * Only node built-ins here: it runs as its own module in a worker thread.
 */
import { parentPort, workerData } from "node:worker_threads";
import { hashChunks, type SharedLeaves } from "./merkleChunks.ts";

hashChunks(workerData as SharedLeaves);
parentPort?.postMessage("done");
