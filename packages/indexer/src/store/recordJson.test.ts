import { decodeLeaf, type Entry, encodeLeaf } from "@shanji/core";
import fc from "fast-check";
import { numberToHex } from "viem";
import { describe, expect, test } from "vitest";
import { createLedger, ledgerArbitrary, purpose } from "../views/_test/ledger.ts";
import { StoreError } from "./errors.ts";
import { recordFromJson, recordToJson } from "./recordJson.ts";

/** recordToJson is JSON.stringify with bigints as decimal strings, only faster. */
const stringify = (record: unknown) =>
  JSON.stringify(record, (_key, value) => (typeof value === "bigint" ? value.toString() : value));

/** What the views read back: the JSON as PostgreSQL would return it, parsed. */
const roundTrip = (entry: Entry) => recordFromJson(JSON.parse(recordToJson(entry.record)));

describe("recordJson", () => {
  test("behavior: every record the campaign views read comes back as it was written", () => {
    fc.assert(
      fc.property(ledgerArbitrary(), ({ entries }) => {
        for (const entry of entries) {
          expect(recordToJson(entry.record)).toBe(stringify(entry.record));
          if (entry.record.type === "creditIssued") expect(roundTrip(entry)).toBeUndefined();
          else expect(roundTrip(entry)).toEqual(entry.record);
        }
      }),
    );
  });

  test("behavior: records decoded from leaves come back as decodeLeaf gave them, huge amounts and evidence lists included", () => {
    const l = createLedger();
    l.open(7n);
    const donation = l.donate(7n, 2n ** 127n + 5n, { purpose: purpose("food") });
    l.disburse(7n, 10n ** 30n, { grantTo: 2n, purpose: purpose("food") });
    l.reverse(donation);
    l.close(7n, 0n);
    for (const entry of l.entries) {
      const decoded = decodeLeaf(
        encodeLeaf({ ...entry, streams: [{ id: numberToHex(1n, { size: 32 }), prevIndex: null }] }),
      );
      expect(recordToJson(decoded.record)).toBe(stringify(decoded.record));
      expect(roundTrip(decoded)).toEqual(decoded.record);
    }
  });

  test("error: a stored record that lacks a field or has it in another type is refused", () => {
    const l = createLedger();
    l.open(1n);
    const entry = l.entries[Number(l.donate(1n, 5n))] as Entry;
    const json = JSON.parse(recordToJson(entry.record)) as Record<string, unknown>;
    expect(() => recordFromJson({ ...json, amount: undefined })).toThrow(StoreError);
    expect(() => recordFromJson({ ...json, donorKind: "0" })).toThrow(/no number field donorKind/);
  });
});
