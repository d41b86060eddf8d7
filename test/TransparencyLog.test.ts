// TransparencyLog: the append-only RFC 6962 log — its root and size against an independent Merkle
// implementation (@shanji/core), the stream heads and back-pointers every entry carries, who may
// append or change the writers, and the GOVERNANCE_CHANGED entry that every change of its
// governance admin leaves in the governance stream.
import type { WalletClient } from "@nomicfoundation/hardhat-viem/types";
import { decodeLeaf, governanceStream, leafHash, merkleRoot } from "@shanji/core";
import {
  type Address,
  createWalletClient,
  custom,
  encodePacked,
  getAddress,
  type Hex,
  hexToBytes,
  keccak256,
  parseEther,
  parseEventLogs,
  sha256,
  stringToHex,
  zeroAddress,
  zeroHash,
} from "viem";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { describe, expect, test } from "vitest";
import { accreditOrg, deploySystem, type LogEntry, orgKind, readEntries } from "./_fixture/deploySystem.ts";
import {
  type GovernanceActionName,
  governanceChanges,
  governanceRecord,
  impersonatedContract,
  leafHash16,
  mined,
  minedOne,
  recordOf,
  snapshotFixture,
  stateChangingFunctions,
  streamsOf,
} from "./_moduleKit.ts";

const NO_PREVIOUS = 2n ** 64n - 1n;
const DEFAULT_ADMIN_ROLE = zeroHash;
const WRITER_SET = 1;
/** The fixture's governance delay (deploySystem's default). */
const GOVERNANCE_DELAY = 3_600;
const OTHER_ROLE = keccak256(stringToHex("some role other than the default admin's"));

const ref = (label: string): Hex => stringToHex(label, { size: 32 });
const hash = (label: string): Hex => sha256(stringToHex(label));
const stream = (label: string): Hex => keccak256(stringToHex(`test stream ${label}`));

const rootOf = (entries: readonly LogEntry[]): Hex => merkleRoot(entries.map((e) => hexToBytes(e.leaf)));

function walletOrThrow(wallet: WalletClient | undefined): WalletClient {
  if (wallet === undefined) throw new Error("missing wallet");
  return wallet;
}

/**
 * A system with a mix of writes from every module: registry (accreditations, operators, a
 * suspension), charity ledger (campaign, donations single and batched, disbursement, reversal,
 * disclosure) and volunteer credit (activity, credits, consent key, redemption). `outsider` is a
 * key of no organisation; `writer` is a contract that is not yet a writer, impersonated so that
 * tests may make it one and append from it; `nextAdmin` is a key to hand the governance admin to.
 */
const setup = snapshotFixture(async () => {
  const system = await deploySystem();
  const { viem, wallets } = system;
  const charityOrg = await accreditOrg(system, { kind: orgKind.Charity, name: "Charity Foundation" });
  const volunteerOrg = await accreditOrg(system, { kind: orgKind.VolunteerOrg, name: "Volunteers Association" });
  const merchantOrg = await accreditOrg(system, { kind: orgKind.Merchant, name: "Care Service Point" });
  const enterpriseOrg = await accreditOrg(system, { kind: orgKind.Enterprise, name: "Enterprise Ltd" });
  const client = (org: { operators: readonly WalletClient[] }) => ({ wallet: walletOrThrow(org.operators[0]) });
  const charity = await viem.getContractAt("CharityLedger", system.charity.address, { client: client(charityOrg) });
  const credit = await viem.getContractAt("VolunteerCredit", system.credit.address, { client: client(volunteerOrg) });
  const merchant = await viem.getContractAt("VolunteerCredit", system.credit.address, { client: client(merchantOrg) });
  const outsider = wallets.fresh();
  const nextAdmin = wallets.fresh();
  const writer = await impersonatedContract(system);

  const CNY = stringToHex("CNY", { size: 3 });
  await mined(
    system,
    charity.write.openCampaign([
      {
        currency: CNY,
        target: 0n,
        startTime: 1_767_225_600n,
        endTime: 0n,
        filingNumber: zeroHash,
        descriptionHash: hash("campaign"),
        purposeTags: [ref("food")],
      },
    ]),
  );
  const donation = (label: string, amount: bigint) => ({
    externalRef: ref(label),
    donorKind: 0,
    donor: hash(`receipt ${label}`),
    amount,
    channel: 1,
    purposeTag: zeroHash,
    inKindHash: zeroHash,
    claimId: 0n,
  });
  const first = await minedOne(system, charity.write.recordDonation([1n, donation("DON-1", 5_000n)]));
  await mined(system, charity.write.recordDonations([1n, [donation("DON-2", 700n), donation("DON-3", 300n)]]));
  await mined(
    system,
    charity.write.recordDisbursement([
      1n,
      {
        externalRef: ref("DIS-1"),
        category: 1,
        amount: 1_000n,
        payeeKind: 0,
        payee: hash("supplier"),
        payeeCampaignId: 0n,
        purposeTag: ref("food"),
        evidence: [hash("invoice")],
      },
    ]),
  );
  await mined(system, charity.write.reverseRecord([ref("DON-1"), 1, first.leaf]));
  await mined(system, charity.write.publishDisclosure([1n, 1, hash("progress"), 1_767_225_600n, 1_767_225_600n]));
  await mined(system, system.registry.write.suspend([enterpriseOrg.orgId, 7]));

  const alice = keccak256(stringToHex("pseudonym of alice"));
  const aliceKey = privateKeyToAccount(generatePrivateKey());
  await mined(system, credit.write.registerActivity([hash("river clean-up"), 0n, 0n]));
  const credits = [1, 2, 3].map((i) => ({
    externalRef: ref(`CRED-${i}`),
    volunteer: i === 3 ? keccak256(stringToHex("pseudonym of bob")) : alice,
    serviceMinutes: 60 * i,
    points: BigInt(10 * i),
    serviceDate: 20_260_105,
  }));
  const [aliceCredit] = await mined(system, credit.write.issueCredits([1n, credits]));
  if (aliceCredit === undefined) throw new Error("issueCredits appended no entry");
  await mined(system, credit.write.setConsentKey([alice, aliceKey.address, ref("CRED-1"), aliceCredit.leaf]));
  const redemption = {
    volunteer: alice,
    points: 15n,
    externalRef: ref("RED-1"),
    serviceHash: hash("home care"),
    deadline: BigInt(await system.networkHelpers.time.latest()) + 3_600n,
  };
  const digest = await system.credit.read.redeemDigest([redemption, merchantOrg.orgId]);
  await mined(system, merchant.write.redeem([redemption, await aliceKey.sign({ hash: digest })]));

  return { system, charity, outsider, nextAdmin, writer };
});

// ---------------------------------------------------------------- a fresh log
describe("a fresh log", () => {
  test("behavior: a log deployed alone holds one entry, the GOVERNANCE_CHANGED that grants its first admin", async () => {
    const { system, outsider } = await setup();
    const admin = getAddress(outsider.account.address);
    // Deployed by account 0 for another admin: the entry names the admin, and the deployer as operator.
    const log = await system.viem.deployContract("TransparencyLog", [3_600, admin]);
    const [event, ...more] = await system.publicClient.getContractEvents({
      address: log.address,
      abi: log.abi,
      eventName: "EntryAppended",
      fromBlock: 0n,
      strict: true,
    });
    if (event === undefined) throw new Error("the constructor appended no entry");
    expect(more).toEqual([]);
    const entry = decodeLeaf(event.args.leaf);
    expect(entry.index).toBe(0n);
    expect(entry.actorOrg).toBe(0n);
    expect(entry.operator).toBe(getAddress(system.wallets.governance.account.address));
    expect(entry.streams).toEqual([{ id: governanceStream(), prevIndex: null }]);
    expect(entry.record).toEqual(governanceRecord(log.address, "roleGranted", admin));
    expect(await log.read.size()).toBe(1n);
    expect(await log.read.root()).toBe(merkleRoot([hexToBytes(event.args.leaf)]));
    expect(await log.read.root()).not.toBe(sha256("0x")); // never the root of the empty tree
    expect(await log.read.streamHead([governanceStream()])).toEqual({
      count: 1n,
      lastIndex: 0n,
      lastLeafHash: leafHash16(event.args.leaf),
    });
    expect(await log.read.defaultAdmin()).toBe(admin);
  });

  test("behavior: a fresh system holds the log's GOVERNANCE_CHANGED entry and the three WRITER_SET entries of its modules, in the governance stream", async () => {
    const system = await deploySystem();
    const entries = await readEntries(system);
    expect(await system.log.read.size()).toBe(4n);
    expect(await system.log.read.root()).toBe(rootOf(entries));
    const records = entries.map(({ leaf }) => {
      const entry = decodeLeaf(leaf);
      expect(streamsOf(entry)).toEqual([governanceStream()]);
      return entry.record;
    });
    expect(records).toEqual([
      governanceRecord(system.log.address, "roleGranted", system.wallets.governance.account.address),
      { type: "writerSet", writer: getAddress(system.registry.address), allowed: true },
      { type: "writerSet", writer: getAddress(system.charity.address), allowed: true },
      { type: "writerSet", writer: getAddress(system.credit.address), allowed: true },
    ]);
  });

  test("behavior: MAX_STREAMS is 4", async () => {
    const { system } = await setup();
    expect(await system.log.read.MAX_STREAMS()).toBe(4n);
  });
});

// ---------------------------------------------------------------- root, size and streams
describe("root, size and streams", () => {
  test("behavior: root() is the RFC 6962 root of every leaf the log emitted, and size() their count", async () => {
    const { system } = await setup();
    const entries = await readEntries(system);
    expect(entries.length).toBeGreaterThan(20);
    expect(await system.log.read.size()).toBe(BigInt(entries.length));
    expect(await system.log.read.root()).toBe(rootOf(entries));
  });

  test("behavior: every entry's index is its position in the log, in the event and in the leaf", async () => {
    const { system } = await setup();
    const entries = await readEntries(system);
    entries.forEach(({ index, leaf }, position) => {
      expect(index).toBe(BigInt(position));
      expect(decodeLeaf(leaf).index).toBe(BigInt(position));
    });
  });

  test("behavior: every stream head holds its count, last index and the first 16 bytes of its last leaf hash", async () => {
    const { system } = await setup();
    const entries = await readEntries(system);
    const heads = new Map<Hex, { count: bigint; lastIndex: bigint; lastLeafHash: Hex }>();
    for (const { index, leaf } of entries) {
      for (const id of streamsOf(decodeLeaf(leaf))) {
        heads.set(id, { count: (heads.get(id)?.count ?? 0n) + 1n, lastIndex: index, lastLeafHash: leafHash16(leaf) });
      }
    }
    expect(heads.size).toBeGreaterThan(12);
    for (const [id, head] of heads) {
      expect(await system.log.read.streamHead([id])).toEqual(head);
    }
  });

  test("behavior: each entry points, in each of its streams, at the previous entry of that stream (null for the first)", async () => {
    const { system } = await setup();
    const entries = await readEntries(system);
    const last = new Map<Hex, bigint>();
    for (const { index, leaf } of entries) {
      for (const { id, prevIndex } of decodeLeaf(leaf).streams) {
        expect(prevIndex).toBe(last.get(id) ?? null);
        last.set(id, index);
      }
    }
  });

  test("behavior: the root matches at every size from 1 to 41, across the powers of two", async () => {
    const { system, writer } = await setup();
    const governance = system.wallets.governance.account.address;
    const log = await system.viem.deployContract("TransparencyLog", [3_600, governance]);
    const leaves: Uint8Array[] = [];
    const readLeaves = async () =>
      (
        await system.publicClient.getContractEvents({
          address: log.address,
          abi: log.abi,
          eventName: "EntryAppended",
          fromBlock: 0n,
          strict: true,
        })
      ).map(({ args }) => hexToBytes(args.leaf));
    leaves.push(...(await readLeaves()));
    expect(leaves).toHaveLength(1); // its first admin's GOVERNANCE_CHANGED
    expect(await log.read.root()).toBe(merkleRoot(leaves));
    await mined(system, log.write.setWriter([writer, true]));
    leaves.splice(0, leaves.length, ...(await readLeaves()));
    expect(leaves).toHaveLength(2);
    expect(await log.read.root()).toBe(merkleRoot(leaves));
    const payload = encodePacked(["address", "bool"], [zeroAddress, false]);
    for (let i = 0; i < 39; i++) {
      const txHash = await log.write.append([WRITER_SET, 0n, zeroAddress, [stream(`${i % 3}`)], payload], {
        account: writer,
      });
      const receipt = await system.publicClient.waitForTransactionReceipt({ hash: txHash });
      const [event] = parseEventLogs({ abi: log.abi, logs: receipt.logs, eventName: "EntryAppended", strict: true });
      if (event === undefined) throw new Error("append emitted no EntryAppended");
      leaves.push(hexToBytes(event.args.leaf));
      expect(await log.read.root()).toBe(merkleRoot(leaves));
    }
    expect(await log.read.size()).toBe(41n);
  });

  test("behavior: the leaf is the documented packed layout: header, streams with back-pointers, payload", async () => {
    const { system, writer } = await setup();
    const { log } = system;
    await mined(system, log.write.setWriter([writer, true]));
    const operator = privateKeyToAccount(generatePrivateKey()).address;
    const streams = [stream("a"), stream("b")];
    const payload = encodePacked(["address", "bool"], [operator, true]);
    const { leaf, entry } = await minedOne(
      system,
      log.write.append([WRITER_SET, 42n, operator, streams, payload], { account: writer }),
    );
    const block = await system.publicClient.getBlock();
    const index = (await log.read.size()) - 1n;
    expect(leaf).toBe(
      encodePacked(
        [
          "uint8",
          "uint8",
          "uint64",
          "uint64",
          "uint64",
          "address",
          "uint8",
          "bytes32",
          "uint64",
          "bytes32",
          "uint64",
          "bytes",
        ],
        [
          1,
          WRITER_SET,
          index,
          block.timestamp,
          42n,
          operator,
          2,
          streams[0] as Hex,
          NO_PREVIOUS,
          streams[1] as Hex,
          NO_PREVIOUS,
          payload,
        ],
      ),
    );
    expect(leafHash(hexToBytes(leaf)).slice(0, 34)).toBe((await log.read.streamHead([stream("a")])).lastLeafHash);
    expect(entry.actorOrg).toBe(42n);
  });
});

// ---------------------------------------------------------------- append
describe("append", () => {
  test("error: a key that is not a writer is refused with LogWriterNotAllowed", async () => {
    const { system, outsider } = await setup();
    await system.viem.assertions.revertWithCustomErrorWithArgs(
      system.log.write.append([WRITER_SET, 0n, zeroAddress, [stream("a")], "0x"], { account: outsider.account }),
      system.log,
      "LogWriterNotAllowed",
      [getAddress(outsider.account.address)],
    );
  });

  test("error: the governance admin itself is not a writer (LogWriterNotAllowed)", async () => {
    const { system } = await setup();
    await system.viem.assertions.revertWithCustomErrorWithArgs(
      system.log.write.append([WRITER_SET, 0n, zeroAddress, [stream("a")], "0x"]),
      system.log,
      "LogWriterNotAllowed",
      [getAddress(system.wallets.governance.account.address)],
    );
  });

  test("error: an entry in no stream is refused with LogStreamCountInvalid(0)", async () => {
    const { system, writer } = await setup();
    await mined(system, system.log.write.setWriter([writer, true]));
    await system.viem.assertions.revertWithCustomErrorWithArgs(
      system.log.write.append([WRITER_SET, 0n, zeroAddress, [], "0x"], { account: writer }),
      system.log,
      "LogStreamCountInvalid",
      [0n],
    );
  });

  test("args: an entry in 4 streams (the maximum) is accepted", async () => {
    const { system, writer } = await setup();
    await mined(system, system.log.write.setWriter([writer, true]));
    const streams = ["a", "b", "c", "d"].map(stream);
    const { leaf } = await minedOne(
      system,
      system.log.write.append(
        [WRITER_SET, 0n, zeroAddress, streams, encodePacked(["address", "bool"], [zeroAddress, true])],
        { account: writer },
      ),
    );
    expect(streamsOf(decodeLeaf(leaf))).toEqual(streams);
  });

  test("error: an entry in 5 streams is refused with LogStreamCountInvalid(5)", async () => {
    const { system, writer } = await setup();
    await mined(system, system.log.write.setWriter([writer, true]));
    await system.viem.assertions.revertWithCustomErrorWithArgs(
      system.log.write.append([WRITER_SET, 0n, zeroAddress, ["a", "b", "c", "d", "e"].map(stream), "0x"], {
        account: writer,
      }),
      system.log,
      "LogStreamCountInvalid",
      [5n],
    );
  });

  test("error: the same stream twice in one entry is refused with LogStreamDuplicated", async () => {
    const { system, writer } = await setup();
    await mined(system, system.log.write.setWriter([writer, true]));
    await system.viem.assertions.revertWithCustomErrorWithArgs(
      system.log.write.append([WRITER_SET, 0n, zeroAddress, [stream("a"), stream("b"), stream("a")], "0x"], {
        account: writer,
      }),
      system.log,
      "LogStreamDuplicated",
      [stream("a")],
    );
  });

  test("behavior: append returns the entry's index, the log's size before it", async () => {
    const { system, writer } = await setup();
    await mined(system, system.log.write.setWriter([writer, true]));
    const { result } = await system.log.simulate.append([WRITER_SET, 0n, zeroAddress, [stream("a")], "0x"], {
      account: writer,
    });
    expect(result).toBe(await system.log.read.size());
  });
});

// ---------------------------------------------------------------- appendBatch
describe("appendBatch", () => {
  const payload = encodePacked(["address", "bool"], [zeroAddress, true]);
  const entries = [
    { streams: [stream("a"), stream("b")], payload },
    { streams: [stream("a")], payload: encodePacked(["address", "bool"], [zeroAddress, false]) },
    { streams: [stream("c"), stream("a"), stream("b")], payload },
  ];

  /**
   * Runs `write` with `writer` made a writer, in a block of its own at a set time, and returns what
   * it appended with the heads of streams a, b and c and the root after it.
   */
  async function appendedBy(
    write: (system: Awaited<ReturnType<typeof setup>>["system"], writer: Address) => Promise<Hex[]>,
  ) {
    const { system, writer } = await setup();
    await mined(system, system.log.write.setWriter([writer, true]));
    const test = await system.viem.getTestClient();
    await test.setAutomine(false);
    try {
      const hashes = await write(system, writer);
      await system.networkHelpers.time.setNextBlockTimestamp(2_000_000_000);
      await test.mine({ blocks: 1 });
      const appended = [];
      for (const hash of hashes) appended.push(...(await mined(system, hash)));
      const heads = await Promise.all(["a", "b", "c"].map((l) => system.log.read.streamHead([stream(l)])));
      return { leaves: appended.map((a) => a.leaf), heads, root: await system.log.read.root() };
    } finally {
      await test.setAutomine(true);
    }
  }

  test("behavior: a batch appends what its entries appended one at a time would: the same leaves, stream heads and root", async () => {
    const oneByOne = await appendedBy(async (system, writer) => {
      const hashes: Hex[] = [];
      for (const e of entries) {
        hashes.push(await system.log.write.append([WRITER_SET, 7n, writer, e.streams, e.payload], { account: writer }));
      }
      return hashes;
    });
    const batched = await appendedBy(async (system, writer) => {
      return [await system.log.write.appendBatch([WRITER_SET, 7n, writer, entries], { account: writer })];
    });
    expect(batched.leaves).toHaveLength(3);
    expect(batched).toEqual(oneByOne);
    // Each entry points at the one before it in stream a.
    const [first, second, third] = batched.leaves.map(decodeLeaf);
    expect(second?.streams[0]?.prevIndex).toBe(first?.index);
    expect(third?.streams[1]?.prevIndex).toBe(second?.index);
  });

  test("behavior: appendBatch returns the index of its first entry, the log's size before it", async () => {
    const { system, writer } = await setup();
    await mined(system, system.log.write.setWriter([writer, true]));
    const { result } = await system.log.simulate.appendBatch([WRITER_SET, 0n, zeroAddress, entries], {
      account: writer,
    });
    expect(result).toBe(await system.log.read.size());
  });

  test("error: a key that is not a writer is refused with LogWriterNotAllowed", async () => {
    const { system, outsider } = await setup();
    await system.viem.assertions.revertWithCustomErrorWithArgs(
      system.log.write.appendBatch([WRITER_SET, 0n, zeroAddress, entries], { account: outsider.account }),
      system.log,
      "LogWriterNotAllowed",
      [getAddress(outsider.account.address)],
    );
  });

  test("error: a batch of no entry is refused with LogBatchEmpty", async () => {
    const { system, writer } = await setup();
    await mined(system, system.log.write.setWriter([writer, true]));
    await system.viem.assertions.revertWithCustomError(
      system.log.write.appendBatch([WRITER_SET, 0n, zeroAddress, []], { account: writer }),
      system.log,
      "LogBatchEmpty",
    );
  });

  test("error: a bad entry after good ones refuses the whole batch (LogStreamDuplicated), and nothing is appended", async () => {
    const { system, writer } = await setup();
    await mined(system, system.log.write.setWriter([writer, true]));
    const size = await system.log.read.size();
    const root = await system.log.read.root();
    await system.viem.assertions.revertWithCustomErrorWithArgs(
      system.log.write.appendBatch(
        [WRITER_SET, 0n, zeroAddress, [...entries, { streams: [stream("d"), stream("d")], payload: "0x" }]],
        { account: writer },
      ),
      system.log,
      "LogStreamDuplicated",
      [stream("d")],
    );
    expect(await system.log.read.size()).toBe(size);
    expect(await system.log.read.root()).toBe(root);
    expect((await system.log.read.streamHead([stream("a")])).count).toBe(0n);
  });
});

// ---------------------------------------------------------------- streamHeads
describe("streamHeads", () => {
  test("behavior: returns each stream's head, in the order asked (a repeated or unknown stream too), and the log's size", async () => {
    const { system } = await setup();
    const ids = [governanceStream(), stream("never used"), governanceStream()];
    const [heads, size] = await system.log.read.streamHeads([ids]);
    expect(heads).toEqual(await Promise.all(ids.map((id) => system.log.read.streamHead([id]))));
    expect(heads[0]?.count).toBeGreaterThan(0n);
    expect(heads[1]).toEqual({ count: 0n, lastIndex: 0n, lastLeafHash: `0x${"00".repeat(16)}` });
    expect(size).toBe(await system.log.read.size());
  });
});

// ---------------------------------------------------------------- setWriter
describe("setWriter", () => {
  test("behavior: appends a WRITER_SET entry to the governance stream, written by the admin for no organisation", async () => {
    const { system, writer } = await setup();
    const before = await system.log.read.streamHead([governanceStream()]);
    const { entry } = await minedOne(system, system.log.write.setWriter([writer, true]));
    expect(entry.actorOrg).toBe(0n);
    expect(entry.operator).toBe(getAddress(system.wallets.governance.account.address));
    expect(entry.streams).toEqual([{ id: governanceStream(), prevIndex: before.lastIndex }]);
    expect(recordOf(entry, "writerSet")).toEqual({ type: "writerSet", writer, allowed: true });
    expect(await system.log.read.isWriter([writer])).toBe(true);
  });

  test("behavior: a contract made a writer can append", async () => {
    const { system, writer } = await setup();
    await mined(system, system.log.write.setWriter([writer, true]));
    const payload = encodePacked(["address", "bool"], [zeroAddress, true]);
    const { entry } = await minedOne(
      system,
      system.log.write.append([WRITER_SET, 7n, zeroAddress, [stream("a")], payload], { account: writer }),
    );
    expect(entry.actorOrg).toBe(7n);
  });

  test("error: a key that is not the governance admin is refused with AccessControlUnauthorizedAccount", async () => {
    const { system, outsider, writer } = await setup();
    await system.viem.assertions.revertWithCustomErrorWithArgs(
      system.log.write.setWriter([writer, true], { account: outsider.account }),
      system.log,
      "AccessControlUnauthorizedAccount",
      [getAddress(outsider.account.address), DEFAULT_ADMIN_ROLE],
    );
  });

  test("error: the zero address is refused with LogWriterInvalid", async () => {
    const { system } = await setup();
    await system.viem.assertions.revertWithCustomErrorWithArgs(
      system.log.write.setWriter([zeroAddress, true]),
      system.log,
      "LogWriterInvalid",
      [zeroAddress],
    );
  });

  test("error: a key (an address without code) is refused with LogWriterInvalid, and nothing is appended", async () => {
    const { system, outsider } = await setup();
    const key = getAddress(outsider.account.address);
    const size = await system.log.read.size();
    for (const allowed of [true, false]) {
      await system.viem.assertions.revertWithCustomErrorWithArgs(
        system.log.write.setWriter([key, allowed]),
        system.log,
        "LogWriterInvalid",
        [key],
      );
    }
    expect(await system.log.read.isWriter([key])).toBe(false);
    expect(await system.log.read.size()).toBe(size);
  });

  // BUG (contracts/TransparencyLog.sol, setWriter): "a key is never one" is checked as
  // `writer.code.length == 0`, but since Prague (EIP-7702; Hardhat 3 runs Osaka) a key that
  // delegates to any contract has code — the 23-byte designator 0xef0100 ‖ delegate — so it is
  // accepted as a writer and then appends by signing its own transactions, with no module code in
  // between. setWriter should also refuse code that is a delegation designator.
  test("error: a key with an EIP-7702 delegation is refused with LogWriterInvalid", async () => {
    const { system } = await setup();
    const key = privateKeyToAccount(generatePrivateKey());
    await system.networkHelpers.setBalance(key.address, parseEther("1"));
    const wallet = createWalletClient({
      account: key,
      chain: system.publicClient.chain,
      transport: custom(system.connection.provider),
    });
    const delegate = await system.viem.deployContract("EventFloor");
    const authorization = await wallet.signAuthorization({ contractAddress: delegate.address, executor: "self" });
    await system.publicClient.waitForTransactionReceipt({
      hash: await wallet.sendTransaction({
        to: system.wallets.governance.account.address,
        authorizationList: [authorization],
      }),
    });
    expect(await system.publicClient.getCode({ address: key.address })).toBe(
      `0xef0100${delegate.address.slice(2).toLowerCase()}`,
    );
    await system.viem.assertions.revertWithCustomErrorWithArgs(
      system.log.write.setWriter([key.address, true]),
      system.log,
      "LogWriterInvalid",
      [key.address],
    );
  });

  test("error: a removed writer module can no longer write (LogWriterNotAllowed)", async () => {
    const { system, charity } = await setup();
    await mined(system, system.log.write.setWriter([system.charity.address, false]));
    expect(await system.log.read.isWriter([system.charity.address])).toBe(false);
    await system.viem.assertions.revertWithCustomErrorWithArgs(
      charity.write.recordDonation([
        1n,
        {
          externalRef: ref("DON-AFTER"),
          donorKind: 0,
          donor: hash("receipt"),
          amount: 1n,
          channel: 0,
          purposeTag: zeroHash,
          inKindHash: zeroHash,
          claimId: 0n,
        },
      ]),
      system.log,
      "LogWriterNotAllowed",
      [getAddress(system.charity.address)],
    );
  });

  test("behavior: removing a writer keeps every entry it wrote", async () => {
    const { system } = await setup();
    const before = await readEntries(system);
    const removal = await minedOne(system, system.log.write.setWriter([system.charity.address, false]));
    const after = await readEntries(system);
    expect(after).toEqual([...before, { index: BigInt(before.length), leaf: removal.leaf }]);
    expect(await system.log.read.root()).toBe(rootOf(after));
  });

  test("error: the governance admin role cannot be granted directly (AccessControlEnforcedDefaultAdminRules)", async () => {
    const { system, outsider } = await setup();
    await system.viem.assertions.revertWithCustomError(
      system.log.write.grantRole([DEFAULT_ADMIN_ROLE, outsider.account.address]),
      system.log,
      "AccessControlEnforcedDefaultAdminRules",
    );
  });

  test("behavior: the log has no function that deletes or rewrites: its writes are append, appendBatch, setWriter and the admin-rules ones", async () => {
    const { system } = await setup();
    expect(stateChangingFunctions(system.log.abi)).toEqual(
      [
        "append",
        "appendBatch",
        "setWriter",
        // AccessControlDefaultAdminRules
        "acceptDefaultAdminTransfer",
        "beginDefaultAdminTransfer",
        "cancelDefaultAdminTransfer",
        "changeDefaultAdminDelay",
        "grantRole",
        "renounceRole",
        "revokeRole",
        "rollbackDefaultAdminDelay",
      ].sort(),
    );
  });
});

// ---------------------------------------------------------------- governance changes
describe("governance changes", () => {
  type Ctx = Awaited<ReturnType<typeof setup>>;

  const logChanges = (ctx: Ctx, write: Promise<Hex>, from: Address) =>
    governanceChanges(ctx.system, write, { contract: ctx.system.log.address, from });

  const change = (ctx: Ctx, action: GovernanceActionName, account: Address, options?: { role?: Hex; value?: bigint }) =>
    governanceRecord(ctx.system.log.address, action, account, options);

  const governanceOf = (ctx: Ctx): Address => ctx.system.wallets.governance.account.address;

  test("behavior: beginDefaultAdminTransfer appends adminTransferBegun naming the new admin and the schedule", async () => {
    const ctx = await setup();
    const next = ctx.nextAdmin.account.address;
    const changes = await logChanges(ctx, ctx.system.log.write.beginDefaultAdminTransfer([next]), governanceOf(ctx));
    const [pending, schedule] = await ctx.system.log.read.pendingDefaultAdmin();
    expect(pending).toBe(getAddress(next));
    expect(BigInt(schedule)).toBe(BigInt(await ctx.system.networkHelpers.time.latest()) + BigInt(GOVERNANCE_DELAY));
    expect(changes).toEqual([change(ctx, "adminTransferBegun", next, { value: BigInt(schedule) })]);
  });

  test("behavior: cancelDefaultAdminTransfer appends adminTransferCancelled naming the admin that was pending", async () => {
    const ctx = await setup();
    const next = ctx.nextAdmin.account.address;
    await mined(ctx.system, ctx.system.log.write.beginDefaultAdminTransfer([next]));
    const [, schedule] = await ctx.system.log.read.pendingDefaultAdmin();
    const changes = await logChanges(ctx, ctx.system.log.write.cancelDefaultAdminTransfer(), governanceOf(ctx));
    // The entry carries the cancelled schedule, which tells a cancelled transfer from a cancelled renounce.
    expect(changes).toEqual([change(ctx, "adminTransferCancelled", next, { value: BigInt(schedule) })]);
    expect(await ctx.system.log.read.pendingDefaultAdmin()).toEqual([zeroAddress, 0]);
  });

  test("behavior: acceptDefaultAdminTransfer appends roleRevoked for the old admin, then roleGranted for the new, both by the new admin", async () => {
    const ctx = await setup();
    const { log, networkHelpers } = ctx.system;
    const next = ctx.nextAdmin.account;
    await mined(ctx.system, log.write.beginDefaultAdminTransfer([next.address]));
    await networkHelpers.time.increase(GOVERNANCE_DELAY + 1);
    const changes = await logChanges(ctx, log.write.acceptDefaultAdminTransfer({ account: next }), next.address);
    expect(changes).toEqual([change(ctx, "roleRevoked", governanceOf(ctx)), change(ctx, "roleGranted", next.address)]);
    expect(await log.read.defaultAdmin()).toBe(getAddress(next.address));
    // The new admin governs: its setWriter is an entry of its own.
    const { entry } = await minedOne(ctx.system, log.write.setWriter([ctx.writer, true], { account: next }));
    expect(entry.operator).toBe(getAddress(next.address));
  });

  test("behavior: changeDefaultAdminDelay appends delayChangeBegun with the new delay", async () => {
    const ctx = await setup();
    const { log } = ctx.system;
    const changes = await logChanges(ctx, log.write.changeDefaultAdminDelay([7_200]), governanceOf(ctx));
    expect(changes).toEqual([change(ctx, "delayChangeBegun", zeroAddress, { value: 7_200n })]);
    const [pendingDelay, schedule] = await log.read.pendingDefaultAdminDelay();
    expect(pendingDelay).toBe(7_200);
    expect(schedule).toBeGreaterThan(0);
  });

  test("behavior: rollbackDefaultAdminDelay appends delayChangeRolledBack and the pending delay is dropped", async () => {
    const ctx = await setup();
    const { log } = ctx.system;
    await mined(ctx.system, log.write.changeDefaultAdminDelay([7_200]));
    const changes = await logChanges(ctx, log.write.rollbackDefaultAdminDelay(), governanceOf(ctx));
    // The entry names the delay that will not come.
    expect(changes).toEqual([change(ctx, "delayChangeRolledBack", zeroAddress, { value: 7_200n })]);
    expect(await log.read.pendingDefaultAdminDelay()).toEqual([0, 0]);
    expect(await log.read.defaultAdminDelay()).toBe(GOVERNANCE_DELAY);
  });

  test("behavior: grantRole and revokeRole of another role append roleGranted and roleRevoked naming the role", async () => {
    const ctx = await setup();
    const { log } = ctx.system;
    const account = ctx.outsider.account.address;
    const from = governanceOf(ctx);
    expect(await logChanges(ctx, log.write.grantRole([OTHER_ROLE, account]), from)).toEqual([
      change(ctx, "roleGranted", account, { role: OTHER_ROLE }),
    ]);
    expect(await logChanges(ctx, log.write.revokeRole([OTHER_ROLE, account]), from)).toEqual([
      change(ctx, "roleRevoked", account, { role: OTHER_ROLE }),
    ]);
  });

  test("behavior: granting a role already held, or revoking one not held, changes nothing and appends nothing", async () => {
    const ctx = await setup();
    const { log } = ctx.system;
    const account = ctx.outsider.account.address;
    const from = governanceOf(ctx);
    await mined(ctx.system, log.write.grantRole([OTHER_ROLE, account]));
    expect(await logChanges(ctx, log.write.grantRole([OTHER_ROLE, account]), from)).toEqual([]);
    expect(await logChanges(ctx, log.write.revokeRole([OTHER_ROLE, from]), from)).toEqual([]);
  });

  test("behavior: renouncing the admin role after a scheduled renounce appends roleRevoked; the log is then ungoverned", async () => {
    const ctx = await setup();
    const { log, networkHelpers } = ctx.system;
    const governance = governanceOf(ctx);
    // A renounce is scheduled as a transfer to the zero address.
    const begun = await logChanges(ctx, log.write.beginDefaultAdminTransfer([zeroAddress]), governance);
    const [, schedule] = await log.read.pendingDefaultAdmin();
    expect(begun).toEqual([change(ctx, "adminTransferBegun", zeroAddress, { value: BigInt(schedule) })]);
    await networkHelpers.time.increase(GOVERNANCE_DELAY + 1);
    expect(await logChanges(ctx, log.write.renounceRole([DEFAULT_ADMIN_ROLE, governance]), governance)).toEqual([
      change(ctx, "roleRevoked", governance),
    ]);
    expect(await log.read.defaultAdmin()).toBe(zeroAddress);
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      log.write.setWriter([ctx.writer, true]),
      log,
      "AccessControlUnauthorizedAccount",
      [getAddress(governance), DEFAULT_ADMIN_ROLE],
    );
  });

  test("error: a refused governance call appends nothing (AccessControlEnforcedDefaultAdminDelay before the delay)", async () => {
    const ctx = await setup();
    const { log } = ctx.system;
    await mined(ctx.system, log.write.beginDefaultAdminTransfer([ctx.nextAdmin.account.address]));
    const [, schedule] = await log.read.pendingDefaultAdmin();
    const size = await log.read.size();
    await ctx.system.viem.assertions.revertWithCustomErrorWithArgs(
      log.write.acceptDefaultAdminTransfer({ account: ctx.nextAdmin.account }),
      log,
      "AccessControlEnforcedDefaultAdminDelay",
      [schedule],
    );
    expect(await log.read.size()).toBe(size);
  });

  // BUG (contracts/base/RecordedAdminRules.sol, _cancelDefaultAdminTransfer): the entry is written
  // whether or not a transfer was pending. OpenZeppelin accepts a cancel with nothing pending (and
  // emits no DefaultAdminTransferCanceled for it), so the log gains adminTransferCancelled with
  // account 0x0 — the very entry that cancelling a scheduled renounce (a transfer to 0x0) leaves.
  // A reader of the log cannot tell "a renounce was called off" from "nothing happened". Record
  // the cancellation only when a schedule was set (or refuse the call).
  test("behavior: a cancel with no transfer pending appends no adminTransferCancelled entry", async () => {
    const ctx = await setup();
    const changes = await logChanges(ctx, ctx.system.log.write.cancelDefaultAdminTransfer(), governanceOf(ctx));
    expect(changes).toEqual([]);
  });

  // BUG (contracts/base/RecordedAdminRules.sol, _rollbackDefaultAdminDelay): a rollback after the
  // pending delay's schedule has passed rolls nothing back — OpenZeppelin makes the new delay the
  // current one — yet the log records delayChangeRolledBack. A reader who replays the governance
  // stream concludes the delay is still the old one while defaultAdminDelay() is the new one.
  // Record the rollback only when the pending change had not taken effect (or refuse the call).
  test("behavior: a rollback after the new delay took effect does not record the change as rolled back", async () => {
    const ctx = await setup();
    const { log, networkHelpers } = ctx.system;
    await mined(ctx.system, log.write.changeDefaultAdminDelay([7_200]));
    const [, schedule] = await log.read.pendingDefaultAdminDelay();
    await networkHelpers.time.increaseTo(schedule + 1);
    const changes = await logChanges(ctx, log.write.rollbackDefaultAdminDelay(), governanceOf(ctx));
    expect(await log.read.defaultAdminDelay()).toBe(7_200); // the change stands
    expect(changes).toEqual([]);
  });
});
