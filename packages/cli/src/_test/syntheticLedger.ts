// Leaves shaped like a real ledger's, made in-process: donations over a few campaigns, each with its
// campaign's stream (pointing back to the campaign's previous donation) and a stream of its own, as
// CharityLedger writes them. For measuring and testing the recompute without filling a chain of a
// million entries; the bytes are encodeLeaf's, with the index and streams patched per entry. Laid
// out as fetchLedgerLogs lays out the chain's leaves: each behind a 0x00 byte, in shared memory.
import { createHash } from "node:crypto";
import { campaignStream, type Entry, encodeLeaf, entryKind } from "@shanji/core";
import type { Hex } from "viem";

export type SyntheticLedger = { count: number; data: Uint8Array; offsets: Float64Array };

export function syntheticLedger(count: number, campaigns = 4): SyntheticLedger {
  const zero: Hex = `0x${"00".repeat(32)}`;
  const entry: Entry = {
    version: 1,
    kind: entryKind.donationRecorded,
    index: 0n,
    timestamp: 1_790_000_000n,
    actorOrg: 1n,
    operator: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    streams: [
      { id: campaignStream(1n), prevIndex: null },
      { id: zero, prevIndex: null },
    ],
    record: {
      type: "donationRecorded",
      campaignId: 1n,
      externalRef: zero,
      donorKind: 0,
      donor: `0x${"09".repeat(32)}`,
      currency: "CNY",
      amount: 123_456n,
      channel: 3,
      purposeTag: zero,
      inKindHash: zero,
      claimId: 0n,
    },
  };
  const template = Buffer.from(encodeLeaf(entry));
  const size = template.length;
  const ids = Array.from({ length: campaigns }, (_, c) => Buffer.from(campaignStream(BigInt(c + 1)).slice(2), "hex"));
  const last = new Array<number>(campaigns).fill(-1);
  const stride = size + 1;
  const data = Buffer.from(new SharedArrayBuffer(Math.max(1, stride * count)), 0, stride * count);
  const offsets = new Float64Array(new SharedArrayBuffer(8 * (count + 1)));
  for (let i = 0; i < count; i++) {
    const at = stride * i + 1;
    const c = i % campaigns;
    template.copy(data, at);
    data.writeBigUInt64BE(BigInt(i), at + 2);
    (ids[c] as Buffer).copy(data, at + 47);
    if (last[c] === -1) data.fill(0xff, at + 79, at + 87);
    else data.writeBigUInt64BE(BigInt(last[c] as number), at + 79);
    last[c] = i;
    // The entry's own stream (and its externalRef): distinct per entry.
    const own = createHash("sha256").update(`record ${i}`).digest();
    own.copy(data, at + 87);
    data.fill(0xff, at + 119, at + 127);
    offsets[i + 1] = at + size;
    offsets[i] = at - 1;
  }
  return { count, data, offsets };
}
