// The recompute on leaves made in-process (shaped like a real ledger's, see _test/syntheticLedger.ts):
// the root and leaf hashes against @shanji/core's own Merkle code, across chunk boundaries and
// thread counts, and each way back-pointers can be wrong that the quick check must not let through.
import { leafHash, merkleRootFromLeafHashes } from "@shanji/core";
import { bytesToHex } from "viem";
import { describe, expect, test } from "vitest";
import { syntheticLedger } from "../_test/syntheticLedger.ts";
import { CHUNK } from "./merkleChunks.ts";
import { recomputeLedger } from "./recomputeLedger.ts";

/** Leaf i of a synthetic ledger (a view). */
const leafOf = (l: ReturnType<typeof syntheticLedger>, i: number) =>
  l.data.subarray((l.offsets[i] as number) + 1, l.offsets[i + 1] as number);
/** Byte offset of stream s of leaf i: its id, then its 8-byte back-pointer. */
const streamAt = (l: ReturnType<typeof syntheticLedger>, i: number, s: number) =>
  (l.offsets[i] as number) + 1 + 47 + 40 * s;
const setPrev = (l: ReturnType<typeof syntheticLedger>, i: number, s: number, prev: number | null) => {
  const b = Buffer.from(l.data.buffer, l.data.byteOffset, l.data.byteLength);
  const at = streamAt(l, i, s) + 32;
  if (prev === null) b.fill(0xff, at, at + 8);
  else b.writeBigUInt64BE(BigInt(prev), at);
};

describe("recomputeLedger", () => {
  test("behavior: the root and leaf hashes are @shanji/core's, across chunk boundaries and thread counts", async () => {
    for (const count of [0, 1, 2, 3, 7, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK + 5]) {
      const l = syntheticLedger(count);
      const expected = Array.from({ length: count }, (_, i) => leafHash(leafOf(l, i)));
      const root = merkleRootFromLeafHashes(expected);
      for (const threads of count > 1000 ? [0, 2] : [0, 1]) {
        const r = await recomputeLedger({ ...l, threads });
        expect(r.problem, `${count} leaves`).toBeUndefined();
        expect(r.root, `${count} leaves, ${threads} threads`).toBe(root);
        if (count > 0) expect(bytesToHex(r.hashes.subarray(32 * (count - 1), 32 * count))).toBe(expected[count - 1]);
      }
    }
  });

  test("behavior: leaves in ordinary (not shared) memory give the same root; the watched stream's entries are listed", async () => {
    const l = syntheticLedger(50, 3);
    const copy = { count: l.count, data: new Uint8Array(l.data), offsets: new Float64Array(l.offsets) };
    const stream = bytesToHex(l.data.subarray(streamAt(l, 1, 0), streamAt(l, 1, 0) + 32));
    const [a, b] = await Promise.all([
      recomputeLedger({ ...l, watchStream: stream }),
      recomputeLedger({ ...copy, watchStream: stream }),
    ]);
    expect(b.root).toBe(a.root);
    expect(a.watched.slice(0, 3)).toEqual([
      { index: 1, prevIndex: null },
      { index: 4, prevIndex: 1 },
      { index: 7, prevIndex: 4 },
    ]);
    expect(a.watched).toHaveLength(17);
    expect(b.watched).toEqual(a.watched);
  });

  test("error: a stream that starts twice: the second start is named, with the entry it should point to", async () => {
    const l = syntheticLedger(40, 4);
    setPrev(l, 9, 0, null);
    const r = await recomputeLedger({ ...l, threads: 0 });
    expect(r.problem?.index).toBe(9);
    expect(r.problem?.reason).toMatch(
      /^entry 9: its stream 0x[0-9a-f]{64} points back to nothing, but the stream's previous entry is 5$/,
    );
  });

  test("error: two entries that point back to the same entry: the later one is named", async () => {
    const l = syntheticLedger(40, 4);
    setPrev(l, 13, 0, 5);
    const r = await recomputeLedger({ ...l, threads: 0 });
    expect(r.problem?.index).toBe(13);
    expect(r.problem?.reason).toMatch(/points back to entry 5, but the stream's previous entry is 9$/);
  });

  test("error: a back-pointer to an entry without that stream, to itself, or ahead", async () => {
    for (const [prev, reason] of [
      [6, /points back to entry 6, but the stream's previous entry is 5$/],
      [9, /points back to entry 9, but the stream's previous entry is 5$/],
      [20, /points back to entry 20, but the stream's previous entry is 5$/],
    ] as const) {
      const l = syntheticLedger(40, 4);
      setPrev(l, 9, 0, prev);
      const r = await recomputeLedger({ ...l, threads: 0 });
      expect(r.problem?.index, `pointer to ${prev}`).toBe(9);
      expect(r.problem?.reason).toMatch(reason);
    }
  });

  test("error: a chain that skips an entry of its stream, and a stream named twice by one entry", async () => {
    const skip = syntheticLedger(40, 4);
    setPrev(skip, 13, 0, 5);
    setPrev(skip, 9, 0, 1);
    const a = await recomputeLedger({ ...skip, threads: 0 });
    expect(a.problem?.index).toBe(9);

    const twice = syntheticLedger(40, 4);
    const b = Buffer.from(twice.data.buffer, twice.data.byteOffset, twice.data.byteLength);
    b.copy(b, streamAt(twice, 9, 1), streamAt(twice, 9, 0), streamAt(twice, 9, 0) + 32);
    setPrev(twice, 9, 1, 9);
    const c = await recomputeLedger({ ...twice, threads: 0 });
    expect(c.problem).toBeUndefined();
    setPrev(twice, 9, 1, 5);
    const d = await recomputeLedger({ ...twice, threads: 0 });
    expect(d.problem?.index).toBe(9);
  });

  test("error: a leaf whose header gives another index is named", async () => {
    const l = syntheticLedger(40, 4);
    Buffer.from(l.data.buffer, l.data.byteOffset).writeBigUInt64BE(31n, (l.offsets[30] as number) + 3);
    const r = await recomputeLedger({ ...l, threads: 1 });
    expect(r.problem).toEqual({ index: 30, reason: "entry 30: the leaf says it is entry 31" });
  });
});
