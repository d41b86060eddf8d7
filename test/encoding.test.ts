// The canonical leaf encoding in @shanji/core against the contracts: every leaf the contracts emit
// (the whole demo data set: every entry kind) decodes, re-encodes to the same bytes, and names its
// streams with the ids core computes. Also checks that core's kind numbers and ABIs match the
// Solidity sources and the compiled artifacts.
import { readFile } from "node:fs/promises";
import {
  activityStream,
  campaignStream,
  decodeLeaf,
  encodeLeaf,
  entryKind,
  governanceStream,
  orgStream,
  recordStream,
  streamKind,
  volunteerStream,
} from "@shanji/core";
import { bytesToHex, type Hex } from "viem";
import { beforeAll, describe, expect, test } from "vitest";
import { recordDemo } from "../scripts/demo/recordDemo.ts";
import { ABIS_FILE, renderAbis } from "../scripts/export-abis.ts";
import { deploySystem, type LogEntry, readEntries } from "./_fixture/deploySystem.ts";

/** A small demo data set (the full one has 3,000 donations): every kind of record, in seconds. */
const DEMO_DONATIONS = 200;

let entries: LogEntry[];

beforeAll(async () => {
  const system = await deploySystem();
  const { registry, charity, credit, publicClient, networkHelpers } = system;
  await recordDemo(
    {
      publicClient,
      wallets: system.wallets.all,
      log: system.log,
      registry,
      charity,
      credit,
    },
    { donations: DEMO_DONATIONS },
  );
  // The demo's keys: account 0 governs; organisation i (1-based) has admin 2i-1 and operator 2i.
  const account = (i: number) => {
    const wallet = system.wallets.all[i];
    if (!wallet) throw new Error(`no account ${i}`);
    return wallet.account;
  };
  const send = async (hash: Promise<Hex>) => publicClient.waitForTransactionReceipt({ hash: await hash });
  const governance = { account: account(0) };
  const foundationAdmin = { account: account(3) };
  // The entry kinds the demo does not record, so that every kind is checked on real leaves.
  await send(charity.write.closeCampaign([4n], { account: account(8) }));
  await send(registry.write.suspend([4n, 7], governance));
  await send(registry.write.reinstate([4n], governance));
  await send(registry.write.addOperator([2n, account(17).address], foundationAdmin));
  await send(registry.write.revokeOperator([2n, account(17).address], foundationAdmin));
  await send(registry.write.beginAdminTransfer([2n, account(18).address], foundationAdmin));
  await send(registry.write.cancelAdminTransfer([2n], foundationAdmin));
  await send(registry.write.beginAdminTransfer([2n, account(18).address], foundationAdmin));
  await networkHelpers.time.increase(3600);
  await send(registry.write.acceptAdminTransfer([2n], { account: account(18) }));
  const credits = (await readEntries(system)).filter(({ leaf }) => decodeLeaf(leaf).record.type === "creditIssued");
  const last = credits.at(-1);
  if (!last) throw new Error("the demo recorded no credit");
  const issued = decodeLeaf(last.leaf).record;
  if (issued.type !== "creditIssued") throw new Error("unreachable");
  await send(credit.write.reverseCredit([issued.externalRef, 2, last.leaf], { account: account(10) }));
  entries = await readEntries(system);
});

describe("encoding against the contracts", () => {
  test("behavior: every leaf decodes and re-encodes to the same bytes", () => {
    expect(entries.length).toBeGreaterThan(100);
    for (const { index, leaf } of entries) {
      const entry = decodeLeaf(leaf);
      expect(entry.index).toBe(index);
      expect(bytesToHex(encodeLeaf(entry))).toBe(leaf);
    }
  });

  test("behavior: the leaves cover every entry kind", () => {
    const seen = new Set(entries.map(({ leaf }) => decodeLeaf(leaf).record.type));
    expect(Object.keys(entryKind).filter((k) => !seen.has(k as keyof typeof entryKind))).toEqual([]);
  });

  test("behavior: core computes the stream ids the contracts use", () => {
    const ids = new Set<Hex>();
    for (const { leaf } of entries) {
      const { record, streams } = decodeLeaf(leaf);
      const streamIds = streams.map((s) => s.id);
      for (const id of streamIds) ids.add(id);
      switch (record.type) {
        case "writerSet":
          expect(streamIds).toEqual([governanceStream()]);
          break;
        case "orgAccredited":
          expect(streamIds).toEqual([orgStream(record.orgId)]);
          break;
        case "campaignOpened":
          expect(streamIds[0]).toBe(campaignStream(record.campaignId));
          break;
        case "donationRecorded":
          expect(streamIds[0]).toBe(campaignStream(record.campaignId));
          expect(streamIds[1]).toBe(recordStream(decodeLeaf(leaf).actorOrg, record.externalRef));
          break;
        case "creditIssued":
          expect(streamIds).toEqual([
            activityStream(record.activityId),
            volunteerStream(record.volunteer),
            recordStream(decodeLeaf(leaf).actorOrg, record.externalRef),
          ]);
          break;
      }
    }
    expect(ids.size).toBeGreaterThan(50);
  });
});

describe("core matches the Solidity sources", () => {
  test("behavior: entry and stream kind numbers equal contracts/libraries/Entries.sol", async () => {
    const source = await readFile(new URL("../contracts/libraries/Entries.sol", import.meta.url), "utf8");
    const constants = new Map(
      [...source.matchAll(/uint8 internal constant (\w+) = (\d+);/g)].map((m) => [m[1], Number(m[2])]),
    );
    const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
    for (const [name, value] of Object.entries(entryKind))
      expect([name, constants.get(snake(name))]).toEqual([name, value]);
    for (const [name, value] of Object.entries(streamKind)) {
      expect([name, constants.get(`STREAM_${snake(name)}`)]).toEqual([name, value]);
    }
    const solidityKinds = [...constants.keys()].filter((k) => k !== "LEAF_VERSION" && !k?.startsWith("STREAM_"));
    expect(solidityKinds.length).toBe(Object.keys(entryKind).length);
  });

  test("behavior: packages/core/src/abis.ts is up to date with the compiled contracts (npm run abi)", async () => {
    expect(await readFile(ABIS_FILE, "utf8")).toBe(await renderAbis());
  });
});
