// An HTTP JSON-RPC proxy in front of a real node that misbehaves on demand, for the indexer's
// tests: it hides or forges EntryAppended logs, goes down, refuses wide eth_getLogs ranges the
// way Besu does or long answers the way geth does, rate-limits, slows down, or claims another chain id. Faults switch at run time,
// so one test can index through a healthy proxy, break it, and watch the indexer notice.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { encodeAbiParameters, type Hex, numberToHex, pad, toEventSelector } from "viem";

export interface Faults {
  /** Hide, from every eth_getLogs answer, the EntryAppended log of entry `index`. */
  dropLog?: { index: bigint | number };
  /**
   * Add to every eth_getLogs answer that holds entry `afterIndex`'s EntryAppended log a forged one
   * right after it: same block and transaction, entry index `afterIndex + 1`, leaf `leaf`. With
   * `replace`, the genuine log of entry `afterIndex + 1` is hidden, so the forgery takes its place.
   */
  forgeLog?: { afterIndex: bigint | number; leaf: Hex; replace?: boolean };
  /** Down until this time (epoch ms): HTTP 503, or with `outageMode: "reset"` connections dropped. */
  outageUntil?: number;
  outageMode?: "http503" | "reset";
  /**
   * eth_getLogs over more than this many blocks (toBlock - fromBlock + 1) fails with Besu's
   * error, or with `maxLogRangeError`. (Besu itself refuses only when toBlock - fromBlock exceeds
   * its limit, so it serves one block more; this proxy is the stricter reading.)
   */
  maxLogRange?: number;
  maxLogRangeError?: { code: number; message: string };
  /** eth_getLogs answers of more than this many logs fail as geth's do ("query returned more than N results"). */
  maxLogResults?: number;
  /** Every N-th HTTP request (counted from setFaults) gets HTTP 429. */
  rateLimitEvery?: number;
  /** Holds every HTTP request this long before answering. */
  delayMs?: number;
  /** eth_chainId (and net_version) answer this chain id. */
  wrongChainId?: number;
}

export interface FaultyRpcProxyStats {
  /** HTTP requests received (a batch is one). */
  requests: number;
  /** JSON-RPC calls received, by method (each call of a batch counts). */
  calls: Record<string, number>;
  /** How often each fault acted: logs dropped or forged, requests refused or slowed, calls answered. */
  faults: {
    dropLog: number;
    forgeLog: number;
    outage: number;
    maxLogRange: number;
    maxLogResults: number;
    rateLimit: number;
    delay: number;
    wrongChainId: number;
  };
}

export interface StartFaultyRpcProxyParameters {
  /** The node to forward to, e.g. anvil's http://127.0.0.1:8545. */
  upstream: string;
  /** Port on 127.0.0.1 (default 0: any free one). */
  port?: number;
}

export interface StartFaultyRpcProxyReturnType {
  url: string;
  port: number;
  /** Replaces the faults in force; `setFaults({})` heals the proxy. */
  setFaults: (faults: Faults) => void;
  stats: () => FaultyRpcProxyStats;
  resetStats: () => void;
  close: () => Promise<void>;
}

/** Besu's answer to an eth_getLogs range wider than --rpc-max-logs-range (RpcErrorType.EXCEEDS_RPC_MAX_BLOCK_RANGE). */
const BESU_RANGE_ERROR = { code: -32005, message: "Requested range exceeds maximum RPC range limit" };
const ENTRY_APPENDED = toEventSelector("EntryAppended(uint256,bytes)");

interface RpcRequest {
  jsonrpc?: string;
  id?: number | string | null;
  method?: string;
  params?: unknown[];
}

interface RpcResponse {
  jsonrpc: "2.0";
  id: number | string | null;
  result?: unknown;
  error?: { code: number; message: string };
}

interface RpcLog {
  topics?: Hex[];
  logIndex?: Hex;
  data?: Hex;
  [field: string]: unknown;
}

export async function startFaultyRpcProxy(
  parameters: StartFaultyRpcProxyParameters,
): Promise<StartFaultyRpcProxyReturnType> {
  const { upstream, port = 0 } = parameters;
  let faults: Faults = {};
  let requestsSinceFaults = 0;
  let stats = emptyStats();

  const outage = (): boolean => faults.outageUntil !== undefined && Date.now() < faults.outageUntil;

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request);
    stats.requests += 1;
    requestsSinceFaults += 1;
    const current = faults;

    if (outage()) {
      stats.faults.outage += 1;
      if (current.outageMode === "reset") {
        request.socket.destroy();
        return;
      }
      response.writeHead(503, { "content-type": "text/plain" }).end("Service Unavailable");
      return;
    }
    if (current.rateLimitEvery !== undefined && requestsSinceFaults % current.rateLimitEvery === 0) {
      stats.faults.rateLimit += 1;
      // A bare HTTP 429, as gateways in front of a node send: no JSON-RPC error code to confuse
      // with the node's own -32005 (which Besu also uses for too wide a log range).
      response.writeHead(429, { "content-type": "text/plain", "retry-after": "1" }).end("Too Many Requests");
      return;
    }
    if (current.delayMs !== undefined && current.delayMs > 0) {
      stats.faults.delay += 1;
      await sleep(current.delayMs);
    }

    let parsed: RpcRequest | RpcRequest[];
    try {
      parsed = JSON.parse(body) as RpcRequest | RpcRequest[];
    } catch {
      // Not JSON: let the node give its own parse error.
      const forwarded = await forward(upstream, body);
      response.writeHead(forwarded.status, { "content-type": "application/json" }).end(forwarded.text);
      return;
    }
    const calls = Array.isArray(parsed) ? parsed : [parsed];
    for (const call of calls) {
      const method = String(call.method);
      stats.calls[method] = (stats.calls[method] ?? 0) + 1;
    }

    // Answer here what a fault decides; forward the rest in one request.
    const answers = new Map<RpcRequest, RpcResponse>();
    for (const call of calls) {
      const local = await answerLocally(call, current, upstream, stats);
      if (local) answers.set(call, local);
    }
    const toForward = calls.filter((call) => !answers.has(call));
    if (toForward.length > 0) {
      const forwarded = await forward(upstream, JSON.stringify(Array.isArray(parsed) ? toForward : toForward[0]));
      if (forwarded.status !== 200) {
        response.writeHead(forwarded.status, { "content-type": "application/json" }).end(forwarded.text);
        return;
      }
      const results = [JSON.parse(forwarded.text) as RpcResponse | RpcResponse[]].flat();
      for (const call of toForward) {
        const result = results.find((r) => r.id === call.id) ?? results[0];
        if (result) answers.set(call, tamper(call, result, current, stats));
      }
    }
    const out = calls.map((call) => answers.get(call));
    response
      .writeHead(200, { "content-type": "application/json" })
      .end(JSON.stringify(Array.isArray(parsed) ? out : out[0]));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        response.writeHead(502, { "content-type": "text/plain" }).end(`faultyRpcProxy: ${String(error)}`);
      } else {
        response.destroy();
      }
    });
  });
  // Connections opened during a "reset" outage are dropped before any request is read.
  server.on("connection", (socket: Socket) => {
    if (outage() && faults.outageMode === "reset") {
      stats.faults.outage += 1;
      socket.destroy();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("faultyRpcProxy: no TCP address");

  return {
    url: `http://127.0.0.1:${address.port}`,
    port: address.port,
    setFaults: (next) => {
      faults = { ...next };
      requestsSinceFaults = 0;
    },
    stats: () => structuredClone(stats),
    resetStats: () => {
      stats = emptyStats();
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function emptyStats(): FaultyRpcProxyStats {
  return {
    requests: 0,
    calls: {},
    faults: {
      dropLog: 0,
      forgeLog: 0,
      outage: 0,
      maxLogRange: 0,
      maxLogResults: 0,
      rateLimit: 0,
      delay: 0,
      wrongChainId: 0,
    },
  };
}

/** The answer a fault gives to `call` without asking the node, if any. */
async function answerLocally(
  call: RpcRequest,
  faults: Faults,
  upstream: string,
  stats: FaultyRpcProxyStats,
): Promise<RpcResponse | undefined> {
  const id = call.id ?? null;
  if (faults.wrongChainId !== undefined && (call.method === "eth_chainId" || call.method === "net_version")) {
    stats.faults.wrongChainId += 1;
    const result = call.method === "eth_chainId" ? numberToHex(faults.wrongChainId) : String(faults.wrongChainId);
    return { jsonrpc: "2.0", id, result };
  }
  if (faults.maxLogRange !== undefined && call.method === "eth_getLogs") {
    const filter = (call.params?.[0] ?? {}) as { fromBlock?: string; toBlock?: string; blockHash?: string };
    if (filter.blockHash !== undefined) return undefined;
    const head = async () => BigInt((await rpc(upstream, "eth_blockNumber")) as string);
    const from = await blockNumberOf(filter.fromBlock, head);
    const to = await blockNumberOf(filter.toBlock, head);
    if (to - from + 1n > BigInt(faults.maxLogRange)) {
      stats.faults.maxLogRange += 1;
      return { jsonrpc: "2.0", id, error: faults.maxLogRangeError ?? BESU_RANGE_ERROR };
    }
  }
  return undefined;
}

/** Hides or forges EntryAppended logs in an eth_getLogs answer. */
function tamper(call: RpcRequest, response: RpcResponse, faults: Faults, stats: FaultyRpcProxyStats): RpcResponse {
  if (call.method !== "eth_getLogs" || !Array.isArray(response.result)) return response;
  if (faults.maxLogResults !== undefined && response.result.length > faults.maxLogResults) {
    stats.faults.maxLogResults += 1;
    return {
      jsonrpc: "2.0",
      id: response.id,
      error: { code: -32005, message: `query returned more than ${faults.maxLogResults} results` },
    };
  }
  if (faults.dropLog === undefined && faults.forgeLog === undefined) return response;
  const hidden = new Set<bigint>();
  if (faults.dropLog !== undefined) hidden.add(BigInt(faults.dropLog.index));
  const forge = faults.forgeLog;
  if (forge?.replace) hidden.add(BigInt(forge.afterIndex) + 1n);

  const logs: RpcLog[] = [];
  for (const log of response.result as RpcLog[]) {
    const index = entryIndexOf(log);
    if (index !== undefined && hidden.has(index)) {
      if (faults.dropLog !== undefined && index === BigInt(faults.dropLog.index)) stats.faults.dropLog += 1;
      continue;
    }
    logs.push(log);
    if (forge !== undefined && index === BigInt(forge.afterIndex)) {
      stats.faults.forgeLog += 1;
      logs.push({
        ...log,
        topics: [ENTRY_APPENDED, pad(numberToHex(BigInt(forge.afterIndex) + 1n), { size: 32 })],
        data: encodeAbiParameters([{ type: "bytes" }], [forge.leaf]),
        logIndex: numberToHex(BigInt(log.logIndex ?? "0x0") + 1n),
      });
    }
  }
  return { ...response, result: logs };
}

/** The entry index of an EntryAppended log, or undefined for any other log. */
function entryIndexOf(log: RpcLog): bigint | undefined {
  const [topic0, topic1] = log.topics ?? [];
  if (topic0?.toLowerCase() !== ENTRY_APPENDED || topic1 === undefined) return undefined;
  return BigInt(topic1);
}

async function blockNumberOf(tag: string | undefined, head: () => Promise<bigint>): Promise<bigint> {
  if (tag === undefined || ["latest", "pending", "safe", "finalized"].includes(tag)) return head();
  if (tag === "earliest") return 0n;
  return BigInt(tag);
}

async function forward(upstream: string, body: string): Promise<{ status: number; text: string }> {
  const response = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
  return { status: response.status, text: await response.text() };
}

async function rpc(upstream: string, method: string, params: unknown[] = []): Promise<unknown> {
  const { text } = await forward(upstream, JSON.stringify({ jsonrpc: "2.0", id: 0, method, params }));
  const response = JSON.parse(text) as RpcResponse;
  if (response.error) throw new Error(`faultyRpcProxy: ${method} failed upstream: ${response.error.message}`);
  return response.result;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}
