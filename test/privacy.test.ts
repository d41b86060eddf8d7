// Privacy: after the demo data set is recorded, no transaction's calldata and no event contains a
// donor's or volunteer's name, ID number or phone number — neither as text, nor as a bare SHA-256
// or keccak256 hash of it (which could be brute-forced), in hex or in raw bytes.

import { type Hex, keccak256, sha256, stringToHex } from "viem";
import { beforeAll, describe, expect, test } from "vitest";
import { type DemoSummary, recordDemo } from "../scripts/demo/recordDemo.ts";
import { deploySystem, type System } from "./_fixture/deploySystem.ts";

/** A small demo data set (the full one has 3,000 donations): every kind of record, in seconds. */
const DEMO_DONATIONS = 200;

let system: System;
let demo: DemoSummary;
/** Every byte that went on chain: calldata of every transaction and data and topics of every log. */
let haystack: string;

beforeAll(async () => {
  system = await deploySystem();
  demo = await recordDemo(
    {
      publicClient: system.publicClient,
      wallets: system.wallets.all,
      log: system.log,
      registry: system.registry,
      charity: system.charity,
      credit: system.credit,
    },
    { donations: DEMO_DONATIONS },
  );
  const parts: string[] = [];
  const latest = await system.publicClient.getBlockNumber();
  for (let n = 0n; n <= latest; n++) {
    const block = await system.publicClient.getBlock({ blockNumber: n, includeTransactions: true });
    for (const tx of block.transactions) parts.push(tx.input.slice(2));
  }
  const logs = await system.publicClient.getLogs({ fromBlock: 0n, toBlock: latest });
  for (const log of logs) parts.push(log.data.slice(2), ...log.topics.map((t) => t.slice(2)));
  haystack = parts.join("|").toLowerCase();
});

const encodings = (text: string): Record<string, Hex> => ({
  utf8: stringToHex(text),
  sha256: sha256(stringToHex(text)),
  keccak256: keccak256(stringToHex(text)),
});

describe("privacy", () => {
  test("behavior: the scan sees what went on chain (receipt commitments, organisation names)", () => {
    // A control: the same search finds data that must be there, so a miss below means absence.
    const receipt = demo.receipts[0];
    expect(receipt).toBeDefined();
    expect(haystack).toContain(sha256(receipt?.code as Hex).slice(2));
    expect(haystack).toContain(stringToHex("朝阳区慈善基金会").slice(2));
    expect(demo.persons.length).toBeGreaterThan(10);
  });

  test("behavior: no name, ID number or phone number of a person is on chain in any encoding", () => {
    const found: string[] = [];
    for (const person of demo.persons) {
      for (const [field, value] of Object.entries({
        idNumber: person.idNumber,
        phone: person.phone,
        name: person.name,
      })) {
        for (const [encoding, hex] of Object.entries(encodings(value))) {
          if (haystack.includes(hex.slice(2).toLowerCase())) found.push(`${field} ${value} as ${encoding}`);
        }
      }
    }
    expect(found).toEqual([]);
  });

  test("behavior: receipt secrets themselves never go on chain, only their commitments", () => {
    const leaked = demo.receipts.filter((r) => haystack.includes(r.code.slice(2).toLowerCase()));
    expect(leaked).toEqual([]);
  });

  test("behavior: documents that name people are on chain only as their SHA-256", () => {
    for (const [hash, text] of demo.documents) {
      expect(haystack).not.toContain(stringToHex(text).slice(2));
      expect(hash).toBe(sha256(stringToHex(text)));
    }
    expect(haystack).toContain([...demo.documents.keys()][0]?.slice(2));
  });
});
