// End to end: `shanji verify` as its own process, against anvil and against a server that stands
// in for the API ON PURPOSE (_test/standInApi.ts): it answers from the real chain, and then lies —
// a tampered entry, a dropped entry, an inconsistent checkpoint — and `verify` must catch each lie,
// name the right entry and exit 1. With --from-chain, a JSON-RPC proxy plays a node whose logs are
// wrong, while root() still comes from the chain.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { campaignStream, decodeLeaf, transparencyLogAbi } from "@shanji/core";
import { fillLedger } from "@shanji/indexer/_test/chainFixture.ts";
import type { Hex } from "viem";
import { afterAll, afterEach, beforeAll, describe, expect, test } from "vitest";
import { type Ledger, startLedger } from "../_test/cliFixture.ts";
import { type StandInApi, startStandInApi } from "../_test/standInApi.ts";

let ledger: Ledger;
let api: StandInApi;
let size: number;
/** Sizes at which a block ended (the chain reported root() for exactly these). */
let blockEnds: number[];
/** A donation entry in the middle of the ledger, and its campaign's stream. */
let target: number;
let stream: Hex;

beforeAll(async () => {
  ledger = await startLedger();
  // A few hundred records in blocks of several transactions, then more blocks of their own.
  const fill = await fillLedger({
    url: ledger.url,
    addresses: ledger.deployed.addresses,
    donations: 240,
    batchSize: 20,
    campaigns: 2,
    txsPerBlock: 3,
  });
  await fillLedger({
    url: ledger.url,
    addresses: ledger.deployed.addresses,
    donations: 40,
    batchSize: 10,
    campaigns: 1,
    txsPerBlock: 1,
    seed: 2,
  });
  const logs = await ledger.deployed.publicClient.getContractEvents({
    address: ledger.deployed.addresses.log,
    abi: transparencyLogAbi,
    eventName: "EntryAppended",
    fromBlock: 0n,
  });
  size = logs.length;
  blockEnds = logs.flatMap((l, i) => (logs[i + 1]?.blockNumber !== l.blockNumber ? [i + 1] : []));
  target = logs.findIndex((l, i) => i > size / 3 && decodeLeaf(l.args.leaf as Hex).record.type === "donationRecorded");
  const record = decodeLeaf(logs[target]?.args.leaf as Hex).record;
  if (record.type !== "donationRecorded") throw new Error("no donation found");
  stream = campaignStream(record.campaignId);
  expect(fill.campaignIds).toContain(record.campaignId);
  api = await startStandInApi({
    client: ledger.deployed.publicClient,
    chainId: ledger.deployed.chain.id,
    log: ledger.deployed.addresses.log,
  });
});
afterAll(async () => {
  await api?.close();
  await ledger?.stop();
});
afterEach(() => {
  for (const key of Object.keys(api.faults)) delete api.faults[key as keyof typeof api.faults];
});

const verify = async (args: string[], extra?: Record<string, string>) => {
  const run = await ledger.run(["--json", "--api", api.url, "verify", ...args], extra);
  let report: { ok: boolean; firstBadIndex: number | null; checks: { check: string; ok: boolean; detail?: string }[] };
  try {
    report = JSON.parse(run.stdout);
  } catch {
    throw new Error(`verify ${args.join(" ")} printed no JSON (exit ${run.code}): ${run.stderr}`);
  }
  return { code: run.code, report, failures: report.checks.filter((c) => !c.ok).map((c) => `${c.check}: ${c.detail}`) };
};

describe("verify against the API", () => {
  test("behavior: a good ledger checks: an entry, a history, the whole ledger, consistency", async () => {
    const from = blockEnds[Math.floor(blockEnds.length / 2)] as number;
    const results = await Promise.all([
      verify(["entry", String(target)]),
      verify(["history", stream]),
      verify(["ledger"]),
      verify(["consistency", String(from), String(size)]),
    ]);
    for (const r of results) {
      expect(r.failures).toEqual([]);
      expect(r.code).toBe(0);
      expect(r.report.ok).toBe(true);
    }
  });

  test("error: a tampered entry is caught by entry, history and ledger, naming its index", async () => {
    api.faults.tamperEntry = target;
    const [entry, history, whole] = await Promise.all([
      verify(["entry", String(target)]),
      verify(["history", stream]),
      verify(["ledger"]),
    ]);
    for (const r of [entry, history, whole]) {
      expect(r.code).toBe(1);
      expect(r.report.firstBadIndex).toBe(target);
    }
    expect(entry.failures.join("\n")).toContain(`does not prove into the chain's root`);
    expect(whole.failures[0]).toContain(`entry ${target}`);
  });

  test("error: a dropped entry is caught: the history's back-pointers lead to it, the ledger misses it", async () => {
    api.faults.dropEntry = target;
    const [history, whole] = await Promise.all([verify(["history", stream]), verify(["ledger"])]);
    expect(history.code).toBe(1);
    expect(history.report.firstBadIndex).toBe(target);
    expect(history.failures.join("\n")).toContain(`entry ${target} of the stream is missing from the API's history`);
    expect(whole.code).toBe(1);
    expect(whole.report.firstBadIndex).toBe(target);
    expect(whole.failures.join("\n")).toContain(`the API does not serve entry ${target}`);
  });

  test("error: an inconsistent checkpoint (a rewritten history) fails consistency with a clear message", async () => {
    const from = blockEnds[Math.floor(blockEnds.length / 2)] as number;
    api.faults.rewriteBelow = from;
    const r = await verify(["consistency", String(from), String(size)]);
    expect(r.code).toBe(1);
    expect(r.failures.join("\n")).toContain(`the API's root`);
    expect(r.failures.join("\n")).toMatch(new RegExp(`is not the chain's at block \\d+ \\(${from} entries`));
    const human = await ledger.run(["--api", api.url, "verify", "consistency", String(from), String(size)]);
    expect(human.code).toBe(1);
    expect(human.stdout).toContain("NOT verified");
  });
});

describe("verify --from-chain", () => {
  test("behavior: the whole ledger, a history and consistency check from the chain's logs alone", async () => {
    const from = blockEnds[1] as number;
    const [whole, history, consistency] = await Promise.all([
      verify(["ledger", "--from-chain"], { SHANJI_API_URL: "http://127.0.0.1:9" }),
      verify(["history", stream, "--from-chain"]),
      verify(["consistency", String(from), String(size), "--from-chain"]),
    ]);
    for (const r of [whole, history, consistency]) {
      expect(r.failures).toEqual([]);
      expect(r.code).toBe(0);
    }
  });

  test("error: a node whose logs drop or alter an entry fails, naming the entry", async () => {
    const proxy = await startLyingRpc(ledger.url, target);
    try {
      proxy.mode = "drop";
      const dropped = await verify(["ledger", "--from-chain", "--rpc", proxy.url]);
      expect(dropped.code).toBe(1);
      expect(dropped.report.firstBadIndex).toBe(target);
      expect(dropped.failures[0]).toContain(`entry ${target} is missing`);

      proxy.mode = "alter";
      const altered = await verify(["ledger", "--from-chain", "--rpc", proxy.url]);
      expect(altered.code).toBe(1);
      expect(altered.report.firstBadIndex).toBe(target);
      expect(altered.failures[0]).toContain("is not the chain's root()");
      expect(altered.failures[0]).toContain(`entry ${target} (block`);
    } finally {
      await proxy.close();
    }
  });
});

/** A JSON-RPC proxy to anvil whose eth_getLogs answers drop or alter entry `index`; everything else passes through. */
async function startLyingRpc(upstream: string, index: number) {
  const state = { mode: "drop" as "drop" | "alter" };
  const lie = (logs: { topics: Hex[]; data: Hex }[]) =>
    logs.flatMap((log) => {
      if (BigInt(log.topics[1] ?? "0x0") !== BigInt(index)) return [log];
      if (state.mode === "drop") return [];
      // Flip a bit in the last byte of the leaf (inside the ABI-encoded bytes, before its padding).
      const length = Number.parseInt(log.data.slice(66, 130), 16);
      const at = 130 + 2 * (length - 1);
      const byte = (Number.parseInt(log.data.slice(at, at + 2), 16) ^ 1).toString(16).padStart(2, "0");
      return [{ ...log, data: `${log.data.slice(0, at)}${byte}${log.data.slice(at + 2)}` as Hex }];
    });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const answer = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
      const json = (await answer.json()) as unknown;
      const requests = JSON.parse(body) as { method: string } | { method: string }[];
      const fix = (request: { method: string }, response: { result?: unknown }) =>
        request.method === "eth_getLogs" && Array.isArray(response.result)
          ? { ...response, result: lie(response.result as never) }
          : response;
      const out = Array.isArray(requests)
        ? (json as { result?: unknown }[]).map((r, i) => fix(requests[i] as { method: string }, r))
        : fix(requests, json as { result?: unknown });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(out));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get mode() {
      return state.mode;
    },
    set mode(m: "drop" | "alter") {
      state.mode = m;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
