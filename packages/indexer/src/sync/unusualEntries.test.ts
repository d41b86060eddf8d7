// What the chain may hold that the indexer has to take as it is, and what no retry can mend, on
// anvil and both stores:
// - organisation names that the registry took as bytes that are not UTF-8, or with a NUL (which
//   PostgreSQL can store neither in text nor in JSON): indexed, and shown with U+FFFD;
// - an entry of a kind this indexer does not know (a newer module's): it stops and says so at once,
//   rather than report a self-check failure and retry it for ever;
// - a write the database refuses for a reason no retry changes (here a constraint added for the
//   test): it stops at once too, instead of retrying it for ever.
import { readFileSync } from "node:fs";
import { creditCodeCheckCharacter, orgKind, orgStream, transparencyLogAbi } from "@shanji/core";
import {
  type Abi,
  createTestClient,
  encodeFunctionData,
  type Hex,
  http,
  numberToHex,
  sha256,
  stringToHex,
  toHex,
} from "viem";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type StartAnvilReturnType, startAnvil } from "../../../../scripts/lib/anvil.ts";
import { type DeployOnAnvilReturnType, deployOnAnvil } from "../_test/chainFixture.ts";
import { indexerConfig, indexerOn } from "../_test/indexerHarness.ts";
import { IndexerError } from "../errors.ts";
import { describeEachBackend } from "../store/_test/testDatabase.ts";
import type { Store } from "../store/types.ts";

const artifact = (path: string) =>
  JSON.parse(readFileSync(new URL(`../../../../artifacts/contracts/${path}`, import.meta.url), "utf8")) as {
    abi: Abi;
    bytecode: Hex;
  };
const registryAbi = artifact("Registry.sol/Registry.json").abi;
const rawWriter = artifact("test/RawWriter.sol/RawWriter.json");

/** The names as the registry holds them: a NUL inside, and a byte no UTF-8 sequence starts with. */
const NAMES = [
  {
    sent: "社区\u0000慈善会",
    shown: "社区\uFFFD慈善会",
    bytes: "e7a4be" + "e58cba" + "00" + "e68588" + "e59684" + "e4bc9a",
  },
  {
    sent: "互助XX中心",
    patch: { from: "5858", to: "ff58" },
    shown: "互助\uFFFDX中心",
    bytes: "e4ba92" + "e58aa9" + "ff58" + "e4b8ad" + "e5bf83",
  },
];

let anvil: StartAnvilReturnType;
let deployment: DeployOnAnvilReturnType;

beforeAll(async () => {
  anvil = await startAnvil({ silent: true });
  deployment = await deployOnAnvil(anvil.url);
  const { governance, publicClient, addresses } = deployment;
  for (const [i, { sent, patch }] of NAMES.entries()) {
    const first17 = `5311010${i}MJ0000013`;
    const code = stringToHex(first17 + creditCodeCheckCharacter(first17), { size: 18 });
    let data = encodeFunctionData({
      abi: registryAbi,
      functionName: "accredit",
      args: [orgKind.charity, code, sent, sha256(toHex(sent)), numberToHex(0xdead00n + BigInt(i), { size: 20 }), false],
    });
    // viem writes a JavaScript string as UTF-8; bytes that are not UTF-8 go into the calldata by hand.
    if (patch)
      data = data.replace(stringToHex(sent).slice(2), stringToHex(sent).slice(2).replace(patch.from, patch.to)) as Hex;
    const hash = await governance.sendTransaction({ to: addresses.registry, data, gas: 1_000_000n });
    const receipt = await publicClient.waitForTransactionReceipt({ hash });
    if (receipt.status !== "success") throw new Error(`accredit ${i} reverted`);
  }
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

/** A logger that keeps what the indexer warns of and reports. */
function recording() {
  const lines: string[] = [];
  const keep = (message: string) => {
    lines.push(message);
  };
  return { lines, logger: { info() {}, warn: keep, error: keep } };
}

async function selfCheckFailures(store: Store): Promise<bigint> {
  const [row] = await store.query<{ n: bigint }>("select count(*) as n from self_check_failures");
  return row?.n ?? -1n;
}

describeEachBackend("indexer on entries out of the ordinary", (backend) => {
  test("behavior: names of bytes that are not UTF-8, or with a NUL, are indexed and shown with U+FFFD; the leaves keep the bytes", async () => {
    const store = await backend.freshStore();
    const { lines, logger } = recording();
    await indexerOn(anvil.url, store, indexerConfig(deployment), { logger }).syncToHead({ maxAttempts: 1 });
    expect(lines).toEqual([]);
    const orgs = await store.query<{ name: string }>("select name from orgs order by org_id");
    expect(orgs.map((o) => o.name)).toEqual(NAMES.map((n) => n.shown));
    const entries = await store.query<{ name: string; leaf: Uint8Array }>(
      "select record->>'name' as name, leaf from entries where kind = 10 order by idx",
    );
    expect(entries.map((e) => e.name)).toEqual(NAMES.map((n) => n.shown));
    // The exact bytes, as the registry took them, end each leaf (the name is its last field).
    const tail = (leaf: Uint8Array, bytes: string) => Buffer.from(leaf).toString("hex").slice(-bytes.length);
    expect(entries.map((e, i) => tail(e.leaf, NAMES[i]?.bytes ?? ""))).toEqual(NAMES.map((n) => n.bytes));
  });

  test("error: an entry of a kind this indexer does not know stops it at once, naming the entry; nothing of its batch is stored", async () => {
    const { governance, publicClient, addresses } = deployment;
    const testClient = createTestClient({ mode: "anvil", transport: http(anvil.url) });
    const snapshot = await testClient.snapshot();
    try {
      const store = await backend.freshStore();
      // Governance makes a module of its own a writer, and the module appends an entry of kind 99.
      const deployed = await publicClient.waitForTransactionReceipt({
        hash: await governance.deployContract({ abi: rawWriter.abi, bytecode: rawWriter.bytecode }),
      });
      const writer = deployed.contractAddress as Hex;
      const setWriter = await governance.writeContract({
        address: addresses.log,
        abi: transparencyLogAbi,
        functionName: "setWriter",
        args: [writer, true],
      });
      await publicClient.waitForTransactionReceipt({ hash: setWriter });
      const appended = await governance.writeContract({
        address: writer,
        abi: rawWriter.abi,
        functionName: "append",
        args: [addresses.log, 99, 1n, [orgStream(1n)], "0x0102"],
      });
      await publicClient.waitForTransactionReceipt({ hash: appended });
      const size = await publicClient.readContract({
        address: addresses.log,
        abi: transparencyLogAbi,
        functionName: "size",
      });
      const unknown = size - 1n;

      const { lines, logger } = recording();
      const indexer = indexerOn(anvil.url, store, indexerConfig(deployment), { logger });
      const failure = await indexer.syncToHead({ maxAttempts: 8 }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(IndexerError);
      expect((failure as IndexerError).shortMessage).toBe(
        `Entry ${unknown} is on the chain, but this indexer cannot read it: Unknown entry kind 99.`,
      );
      // One attempt, reported once: no retries, and no self-check failure blamed on the node.
      expect(lines).toEqual([`indexer stopped: ${(failure as Error).message}`]);
      expect(indexer.status().state).toBe("failed");
      expect(await selfCheckFailures(store)).toBe(0n);
      const [stored] = await store.query<{ n: bigint }>("select count(*) as n from entries");
      // The chain is a few blocks long: one batch, the entries before the unknown one included.
      expect(stored?.n).toBe(0n);
    } finally {
      await testClient.revert({ id: snapshot });
    }
  });

  test("error: a write the database refuses for a reason no retry changes stops the indexer at once", async () => {
    const store = await backend.freshStore();
    // Real refusal, made for the test: a constraint the accreditations break (SQLSTATE 23514).
    await store.query("alter table entries add constraint test_no_accreditations check (kind <> 10)");
    const { lines, logger } = recording();
    const indexer = indexerOn(anvil.url, store, indexerConfig(deployment), { logger });
    const failure = await indexer.syncToHead({ maxAttempts: 8 }).catch((e: unknown) => e);
    expect((failure as { code?: string }).code).toBe("23514");
    expect(String(failure)).toContain("test_no_accreditations");
    expect(lines).toEqual([`indexer stopped: ${(failure as Error).message}`]);
    expect(indexer.status().state).toBe("failed");
    const [stored] = await store.query<{ n: bigint }>("select count(*) as n from entries");
    expect(stored?.n).toBe(0n);
  });
});
