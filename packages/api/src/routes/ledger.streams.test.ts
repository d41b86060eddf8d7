import { campaignStream, decodeLeaf, governanceStream, leafHash, orgStream, verifyInclusion } from "@shanji/core";
import { Value } from "typebox/value";
import { type Hex, hexToBytes, sha256, stringToHex } from "viem";
import { afterAll, beforeAll, expect, test } from "vitest";
import { connectDemoSystem } from "../../../../scripts/demo/connectDemoSystem.ts";
import { describeEachBackend } from "../../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "../_test/apiFixture.ts";
import { encodeCursor } from "../cursor.ts";
import { type ChainEntry, chainEntries, logAt, streamHeadAt } from "./ledger/_test/chainView.ts";
import { StreamHistoryAnswer } from "./ledger/streamHistoryRoute.ts";

type Item = {
  index: string;
  prevIndex: string | null;
  leaf: Hex;
  leafHash: Hex;
  kindName: string;
  entry: { streams: { id: Hex; prevIndex: string | null }[] };
  proof: { index: string; treeSize: string; root: Hex; inclusion: Hex[]; blockNumber: string };
};
type Head = { count: string; lastIndex: string; lastLeafHash16: Hex; blockNumber: string; treeSize: string; root: Hex };
type Page = { stream: Hex; order: string; head: Head; items: Item[]; nextCursor: string | null };

describeEachBackend("ledger routes: stream histories", (backend) => {
  let f: ApiFixture;
  let chain: ChainEntry[];

  const get = async (url: string) => {
    const res = await f.app.inject(url);
    return { status: res.statusCode, body: res.json(), headers: res.headers };
  };

  /** Every page of a stream's history, following nextCursor. */
  async function allPages(stream: Hex, query = "limit=7"): Promise<Page[]> {
    const pages: Page[] = [];
    const limit = /limit=[0-9]+/.exec(query)?.[0] ?? "limit=50";
    let url: string | null = `/v1/streams/${stream}/history?${query}`;
    while (url) {
      const { status, body } = await get(url);
      expect(status, url).toBe(200);
      expect([...Value.Errors(StreamHistoryAnswer, body)].map((e) => `${e.instancePath} ${e.message}`)).toStrictEqual(
        [],
      );
      pages.push(body as Page);
      url = body.nextCursor ? `/v1/streams/${stream}/history?${limit}&cursor=${body.nextCursor}` : null;
    }
    return pages;
  }

  /**
   * Checks a history as a client that trusts only its own node would: the head equals the chain's
   * streamHead() and root() at head.blockNumber; the back-pointers from head.lastIndex visit every
   * item, head.count in all, down to a first entry; each item's leaf names this stream with that
   * back-pointer, and proves into head.root.
   */
  async function expectComplete(stream: Hex, pages: Page[]): Promise<Item[]> {
    const head = pages[0]?.head as Head;
    for (const page of pages) expect(page.head).toStrictEqual(head);
    const blockNumber = BigInt(head.blockNumber);
    expect(await streamHeadAt(f, stream, blockNumber)).toStrictEqual({
      count: BigInt(head.count),
      lastIndex: BigInt(head.lastIndex),
      lastLeafHash16: head.lastLeafHash16,
    });
    expect(await logAt(f, blockNumber)).toStrictEqual({ size: BigInt(head.treeSize), root: head.root });

    const items = pages.flatMap((p) => p.items);
    const byIndex = new Map(items.map((item) => [item.index, item]));
    expect(byIndex.size).toBe(items.length);
    let next: string | null = head.lastIndex;
    let visited = 0;
    while (next !== null) {
      const item = byIndex.get(next);
      if (!item) throw new Error(`the history lacks entry ${next}, which a back-pointer names`);
      visited += 1;
      next = item.prevIndex;
    }
    expect(visited).toBe(Number(head.count));
    expect(items).toHaveLength(Number(head.count));
    for (const item of items) {
      const decoded = decodeLeaf(item.leaf);
      const own = decoded.streams.find((s) => s.id === stream);
      expect(own, `entry ${item.index} is not in stream ${stream}`).toBeDefined();
      expect(own?.prevIndex === null ? null : String(own?.prevIndex)).toBe(item.prevIndex);
      expect(item.proof).toMatchObject({ index: item.index, treeSize: head.treeSize, root: head.root });
      expect(item.proof.blockNumber).toBe(head.blockNumber);
      expect(
        verifyInclusion({
          index: BigInt(item.index),
          treeSize: BigInt(item.proof.treeSize),
          leafHash: leafHash(hexToBytes(item.leaf)),
          proof: item.proof.inclusion,
          root: item.proof.root,
        }),
      ).toBe(true);
    }
    return items;
  }

  /** The stream's entries as the chain's own logs list them, up to `size`. */
  const onChainHistory = (stream: Hex, size: number) =>
    chain
      .slice(0, size)
      .filter((e) => decodeLeaf(e.leaf).streams.some((s) => s.id === stream))
      .map((e) => String(e.index));

  beforeAll(async () => {
    f = await openApiFixture(backend.freshStore);
    chain = await chainEntries(f);
  });
  afterAll(() => f?.close());

  test("behavior: a campaign's history, page by page, is complete against the chain's streamHead", async () => {
    const stream = campaignStream(1n);
    const pages = await allPages(stream);
    expect(pages.length).toBeGreaterThan(3);
    const items = await expectComplete(stream, pages);
    // Newest first, exactly the entries whose leaves name the stream.
    expect(items.map((i) => i.index)).toStrictEqual(onChainHistory(stream, chain.length).reverse());
    expect(pages[0]).toMatchObject({ stream, order: "desc" });
    expect(pages.every((p) => p.items.length <= 7)).toBe(true);
  });

  test("args: order=asc lists the same history oldest first", async () => {
    const stream = campaignStream(2n);
    const pages = await allPages(stream, "limit=5&order=asc");
    const items = await expectComplete(stream, pages);
    expect(items.map((i) => i.index)).toStrictEqual(onChainHistory(stream, chain.length));
    expect(items[0]?.prevIndex).toBeNull();
    expect(pages.at(-1)?.items.at(-1)?.index).toBe(pages[0]?.head.lastIndex);
  });

  test("behavior: every stream of sampled entries (organisations, records, volunteers, activities, governance) is complete", async () => {
    const streams = new Set<Hex>([governanceStream(), orgStream(1n), orgStream(2n)]);
    for (const e of [chain[5], chain[Math.floor(chain.length / 2)], chain.at(-1), chain.at(-40)]) {
      for (const s of decodeLeaf((e as ChainEntry).leaf).streams) streams.add(s.id);
    }
    for (const e of chain) {
      const record = decodeLeaf(e.leaf).record;
      if (record.type === "creditIssued" || record.type === "recordReversed") {
        for (const s of decodeLeaf(e.leaf).streams) streams.add(s.id);
        if (streams.size > 14) break;
      }
    }
    for (const stream of streams) {
      const items = await expectComplete(stream, await allPages(stream, "limit=500"));
      expect(items.map((i) => i.index)).toStrictEqual(onChainHistory(stream, chain.length).reverse());
    }
  });

  test("behavior: a page sequence stays the history at its first page's size while new entries arrive", async () => {
    const stream = campaignStream(1n);
    const first = (await get(`/v1/streams/${stream}/history?limit=4`)).body as Page;
    const sizeBefore = BigInt(first.head.treeSize);

    // The foundation's operator (demo account 4) records two donations to campaign 1 meanwhile.
    const system = await connectDemoSystem(f.deployment, f.rpcUrl);
    const operator = system.wallets[4]?.account;
    if (!operator) throw new Error("the demo chain has no account 4");
    for (const n of [1, 2]) {
      const hash = await system.charity.write.recordDonation(
        [
          1n,
          {
            externalRef: stringToHex(`api-stream-test-${backend.name}-${n}`, { size: 32 }),
            donorKind: 0,
            donor: sha256(stringToHex(`receipt secret ${n}`)),
            amount: 1_000n * BigInt(n),
            channel: 3,
            purposeTag: `0x${"00".repeat(32)}`,
            inKindHash: `0x${"00".repeat(32)}`,
            claimId: 0n,
          },
        ],
        { account: operator },
      );
      expect((await system.publicClient.waitForTransactionReceipt({ hash })).status).toBe("success");
    }
    await f.sync();
    chain = await chainEntries(f);
    expect(BigInt(chain.length)).toBe(sizeBefore + 2n);

    const rest: Page[] = [];
    let cursor = first.nextCursor;
    while (cursor) {
      const page = (await get(`/v1/streams/${stream}/history?cursor=${cursor}`)).body as Page;
      rest.push(page);
      cursor = page.nextCursor;
    }
    const pinned = [first, ...rest];
    const items = await expectComplete(stream, pinned);
    expect(items.map((i) => i.index)).toStrictEqual(onChainHistory(stream, Number(sizeBefore)).reverse());
    // The answers say the ledger has grown meanwhile.
    expect(rest.at(-1)?.head.treeSize).toBe(String(sizeBefore));

    // Asked again, the history has the new entries on top, proved into the new size.
    const fresh = await allPages(stream);
    const now = await expectComplete(stream, fresh);
    expect(BigInt(fresh[0]?.head.treeSize ?? 0)).toBe(sizeBefore + 2n);
    expect(now.map((i) => i.index).slice(2)).toStrictEqual(items.map((i) => i.index));
    expect(now.slice(0, 2).map((i) => i.index)).toStrictEqual([String(sizeBefore + 1n), String(sizeBefore)]);
  });

  test("error: malformed and unknown streams", async () => {
    for (const bad of ["0x1234", `0x${"g".repeat(64)}`, "campaign-1", `${"ab".repeat(32)}`, `0x${"ab".repeat(33)}`]) {
      const res = await get(`/v1/streams/${bad}/history`);
      expect(res.status, bad).toBe(400);
      expect(res.body.errors?.[0]?.field).toBe("params.stream");
    }
    const unknown = await get(`/v1/streams/0x${"ab".repeat(32)}/history`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(unknown.body.detail).toContain("has no entries");
    // Upper-case hex names the same stream.
    const upper = await get(`/v1/streams/0x${campaignStream(1n).slice(2).toUpperCase()}/history?limit=1`);
    expect(upper.status).toBe(200);
    expect(upper.body.stream).toBe(campaignStream(1n));
  });

  test("error: cursors that this API did not give out for this history, and bad limits", async () => {
    const stream = campaignStream(1n);
    const page = (await get(`/v1/streams/${stream}/history?limit=2`)).body as Page;
    const other = campaignStream(2n);
    const cases: [string, string, string][] = [
      [`/v1/streams/${stream}/history?cursor=nonsense`, "querystring.cursor", "is not a cursor this API gave out"],
      [`/v1/streams/${other}/history?cursor=${page.nextCursor}`, "querystring.cursor", "belongs to another stream"],
      [
        `/v1/streams/${stream}/history?cursor=${page.nextCursor}&order=asc`,
        "querystring.order",
        "differs from the order",
      ],
      [
        `/v1/streams/${stream}/history?cursor=${encodeCursor({ v: 1, s: "999999999", a: "5", o: "d", t: stream.slice(2, 18) })}`,
        "querystring.cursor",
        "no longer indexed",
      ],
      [`/v1/streams/${stream}/history?limit=0`, "querystring.limit", "must be >= 1"],
      [`/v1/streams/${stream}/history?limit=501`, "querystring.limit", "must be <= 500"],
      [`/v1/streams/${stream}/history?order=newest`, "querystring.order", ""],
    ];
    for (const [url, field, reason] of cases) {
      const res = await get(url);
      expect(res.status, url).toBe(400);
      expect(res.body.errors?.[0]?.field, url).toBe(field);
      expect(res.body.errors?.[0]?.reason, url).toContain(reason);
    }
    // A forged cursor past the pinned size lists nothing rather than failing.
    const forged = encodeCursor({
      v: 1,
      s: page.head.treeSize,
      a: "9223372036854775807",
      o: "a",
      t: stream.slice(2, 18),
    });
    const res = await get(`/v1/streams/${stream}/history?cursor=${forged}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ items: [], nextCursor: null });
  });
});
