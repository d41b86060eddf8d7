import { entryKind, transparencyLogAbi } from "@shanji/core";
import type { Address, Hex, PublicClient } from "viem";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type StartAnvilReturnType, startAnvil } from "../../../../scripts/lib/anvil.ts";
import { type DeployOnAnvilReturnType, deployOnAnvil, fillLedger } from "./chainFixture.ts";

const anvils: StartAnvilReturnType[] = [];
async function freshChain(): Promise<{ anvil: StartAnvilReturnType; chain: DeployOnAnvilReturnType }> {
  const anvil = await startAnvil({ silent: true });
  anvils.push(anvil);
  return { anvil, chain: await deployOnAnvil(anvil.url) };
}

afterAll(async () => {
  await Promise.all(anvils.map((anvil) => anvil.stop()));
});

async function logSize(client: PublicClient, log: Address): Promise<bigint> {
  return client.readContract({ address: log, abi: transparencyLogAbi, functionName: "size" });
}

/** Every leaf of the log, in index order, from its EntryAppended events. */
async function leaves(client: PublicClient, log: Address, fromBlock: bigint): Promise<Hex[]> {
  const events = await client.getContractEvents({
    address: log,
    abi: transparencyLogAbi,
    eventName: "EntryAppended",
    fromBlock,
    strict: true,
  });
  const first = events[0]?.args.index ?? 0n;
  events.forEach((event, i) => {
    if (event.args.index !== first + BigInt(i)) throw new Error(`event ${i} has index ${event.args.index}`);
  });
  return events.map((event) => event.args.leaf);
}

/** The kind byte of a leaf (u8 version | u8 kind | ...). */
const kindOf = (leaf: Hex): number => Number.parseInt(leaf.slice(4, 6), 16);
/** A leaf with its block timestamp (bytes 10..17) zeroed: the only part a seed does not fix. */
const withoutTimestamp = (leaf: Hex): string => `${leaf.slice(0, 22)}${"0".repeat(16)}${leaf.slice(38)}`;

describe("deployOnAnvil", () => {
  test("behavior: deploys the four contracts and makes the three modules writers of the log", async () => {
    const { chain } = await freshChain();
    const { publicClient, addresses, deployBlock } = chain;
    for (const address of Object.values(addresses)) {
      expect(await publicClient.getCode({ address })).toMatch(/^0x[0-9a-f]{2,}/);
    }
    for (const writer of [addresses.registry, addresses.charityLedger, addresses.volunteerCredit]) {
      expect(
        await publicClient.readContract({
          address: addresses.log,
          abi: transparencyLogAbi,
          functionName: "isWriter",
          args: [writer],
        }),
      ).toBe(true);
    }
    const all = await leaves(publicClient, addresses.log, deployBlock);
    expect(all.filter((leaf) => kindOf(leaf) === entryKind.writerSet)).toHaveLength(3);
    expect(BigInt(all.length)).toBe(await logSize(publicClient, addresses.log));
  });
});

describe("fillLedger", () => {
  let first: { anvil: StartAnvilReturnType; chain: DeployOnAnvilReturnType };
  beforeAll(async () => {
    first = await freshChain();
  });

  test("behavior: 1,000 donations grow the log by exactly the planned entries", async () => {
    const { anvil, chain } = first;
    const before = await logSize(chain.publicClient, chain.addresses.log);
    const progress: number[] = [];
    const filled = await fillLedger({
      url: anvil.url,
      addresses: chain.addresses,
      donations: 1_000,
      onProgress: ({ entries }) => progress.push(entries),
    });
    expect(filled).toMatchObject({ donations: 1_000, disbursements: 100, reversals: 1, orgId: 1n });
    expect(filled.campaignIds).toEqual([1n, 2n, 3n, 4n]);
    // accredit + addOperator + 4 campaigns + donations + disbursements + reversals
    expect(filled.entries).toBe(2 + 4 + 1_000 + 100 + 1);
    expect(await logSize(chain.publicClient, chain.addresses.log)).toBe(before + BigInt(filled.entries));
    expect(filled.logSize).toBe(before + BigInt(filled.entries));
    expect(progress.at(-1)).toBe(filled.entries);

    const kinds = (await leaves(chain.publicClient, chain.addresses.log, filled.fromBlock)).map(kindOf);
    const count = (kind: number) => kinds.filter((k) => k === kind).length;
    expect(count(entryKind.donationRecorded)).toBe(1_000);
    expect(count(entryKind.disbursementRecorded)).toBe(100);
    expect(count(entryKind.recordReversed)).toBe(1);
    expect(count(entryKind.campaignOpened)).toBe(4);
  });

  test("behavior: filling the same chain again reuses the charity and appends after the first fill", async () => {
    const { anvil, chain } = first;
    const before = await logSize(chain.publicClient, chain.addresses.log);
    const again = await fillLedger({
      url: anvil.url,
      addresses: chain.addresses,
      donations: 300,
      campaigns: 2,
      batchSize: 50,
    });
    expect(again.orgId).toBe(1n);
    expect(again.campaignIds).toEqual([5n, 6n]);
    expect(again.entries).toBe(2 + 300 + 30 + 1);
    expect(await logSize(chain.publicClient, chain.addresses.log)).toBe(before + BigInt(again.entries));
  });

  test("behavior: the same seed writes the same records, whatever the block packing", async () => {
    const [a, b] = await Promise.all([freshChain(), freshChain()]);
    const options = { donations: 600, batchSize: 40, campaigns: 3, reversals: 6, seed: 7 };
    const [filledA, filledB] = await Promise.all([
      fillLedger({ url: a.anvil.url, addresses: a.chain.addresses, ...options, txsPerBlock: 1 }),
      fillLedger({ url: b.anvil.url, addresses: b.chain.addresses, ...options, txsPerBlock: 5 }),
    ]);
    expect(filledA.entries).toBe(filledB.entries);
    expect(filledB.toBlock - filledB.fromBlock).toBeLessThan(filledA.toBlock - filledA.fromBlock);
    const leavesA = await leaves(a.chain.publicClient, a.chain.addresses.log, a.chain.deployBlock);
    const leavesB = await leaves(b.chain.publicClient, b.chain.addresses.log, b.chain.deployBlock);
    expect(leavesA.map(withoutTimestamp)).toEqual(leavesB.map(withoutTimestamp));
    expect(leavesA.filter((leaf) => kindOf(leaf) === entryKind.recordReversed)).toHaveLength(6);

    const other = await freshChain();
    await fillLedger({ url: other.anvil.url, addresses: other.chain.addresses, ...options, seed: 8 });
    const leavesOther = await leaves(other.chain.publicClient, other.chain.addresses.log, other.chain.deployBlock);
    expect(leavesOther.map(withoutTimestamp)).not.toEqual(leavesA.map(withoutTimestamp));
  });

  test("behavior: packing leaves automine on and the block gas limit as they were", async () => {
    const { anvil, chain } = first;
    const gasLimit = (await chain.publicClient.getBlock({ blockTag: "pending" })).gasLimit;
    await fillLedger({ url: anvil.url, addresses: chain.addresses, donations: 50, batchSize: 10, txsPerBlock: 4 });
    const hash = await chain.governance.sendTransaction({ to: chain.addresses.log, data: "0x949d225d" }); // size()
    const receipt = await chain.publicClient.waitForTransactionReceipt({ hash, timeout: 5_000 });
    expect(receipt.status).toBe("success");
    expect((await chain.publicClient.getBlock()).gasLimit).toBe(gasLimit);
    expect(gasLimit).toBe(30_000_000n); // anvil's default
  });

  test("args: batchSize above the contract's MAX_BATCH is refused before sending anything", async () => {
    const { anvil, chain } = first;
    const before = await chain.publicClient.getBlockNumber();
    await expect(
      fillLedger({ url: anvil.url, addresses: chain.addresses, donations: 10, batchSize: 257 }),
    ).rejects.toThrow(/batchSize must be 1\.\.256/);
    expect(await chain.publicClient.getBlockNumber()).toBe(before);
  });
});
