// The indexer against a real chain (anvil) on PGlite and on PostgreSQL: backfill, resume, reorgs,
// and the self-check that refuses a dropped or a forged log.
import { bytesToHex, createPublicClient, type Hex, http } from "viem";
import { afterAll, beforeAll, expect, test } from "vitest";
import type { StartAnvilReturnType } from "../../../../scripts/lib/anvil.ts";
import { campaignBalance, type DeployOnAnvilReturnType, startFilledChain } from "../_test/chainFixture.ts";
import { digestAll, indexerConfig, indexerOn } from "../_test/indexerHarness.ts";
import { type ChainReader, createChainReader } from "../chain/createChainReader.ts";
import { describeEachBackend } from "../store/_test/testDatabase.ts";
import { createIndexer, type Logger } from "./createIndexer.ts";
import { deferIndexes, KEPT_LIVE, STREAM_KEY } from "./deferIndexes.ts";

let anvil: StartAnvilReturnType;
let deployment: DeployOnAnvilReturnType;

beforeAll(async () => {
  ({ anvil, deployment } = await startFilledChain({ donations: 1_200, campaigns: 3, seed: 7 }));
}, 120_000);

afterAll(async () => {
  await anvil?.stop();
});

async function onChain(): Promise<{ size: bigint; root: Hex }> {
  const client = createPublicClient({ transport: http(anvil.url) });
  const abi = [
    { type: "function", name: "size", stateMutability: "view", inputs: [], outputs: [{ type: "uint256" }] },
    { type: "function", name: "root", stateMutability: "view", inputs: [], outputs: [{ type: "bytes32" }] },
  ] as const;
  const address = deployment.addresses.log;
  const [size, root] = await Promise.all([
    client.readContract({ address, abi, functionName: "size" }),
    client.readContract({ address, abi, functionName: "root" }),
  ]);
  return { size, root };
}

describeEachBackend("indexer", (backend) => {
  /**
   * An uninterrupted backfill of the test chain with the default settings, run once per backend:
   * the tables (digest) every other way of indexing the chain must give, and its largest batch.
   */
  let plain: Promise<{ digest: string; largestBatch: number }> | undefined;
  const plainBackfill = () => {
    plain ??= (async () => {
      const store = await backend.freshStore();
      let largestBatch = 0;
      const onBatch = ({ entries }: { entries: number }) => {
        largestBatch = Math.max(largestBatch, entries);
      };
      await indexerOn(anvil.url, store, indexerConfig(deployment), { onBatch }).syncToHead();
      const digest = await digestAll(store);
      await store.close();
      return { digest, largestBatch };
    })();
    return plain;
  };

  test("behavior: a backfill stores every entry, verified against the chain's root", async () => {
    const store = await backend.freshStore();
    const indexer = indexerOn(anvil.url, store, indexerConfig(deployment), { initialRange: 16n });
    const status = await indexer.syncToHead();
    const chain = await onChain();
    expect(status.logSize).toBe(chain.size);
    const [count] = await store.query<{ n: bigint }>("select count(*) as n from entries");
    expect(count?.n).toBe(chain.size);
    const [last] = await store.query<{ log_root: Uint8Array; log_size: bigint }>(
      "select log_root, log_size from blocks order by number desc limit 1",
    );
    expect(last && bytesToHex(last.log_root)).toBe(chain.root);
    expect(last?.log_size).toBe(chain.size);
    const [views] = await store.query<{ n: bigint }>("select count(*) as n from campaigns");
    expect(views?.n).toBe(3n);
    await store.close();
  }, 120_000);

  test("behavior: the views' balances equal the contract's", async () => {
    const store = await backend.freshStore();
    await indexerOn(anvil.url, store, indexerConfig(deployment)).syncToHead();
    const rows = await store.query<{ campaign_id: bigint; balance: string }>(
      "select campaign_id, balance from campaigns order by campaign_id",
    );
    expect(rows.length).toBe(3);
    for (const row of rows) {
      expect(BigInt(row.balance)).toBe(await campaignBalance(anvil.url, deployment.addresses, row.campaign_id));
    }
    await store.close();
  }, 120_000);

  test("behavior: the first logs are asked for before the backfill is measured, so the node serves them meanwhile", async () => {
    const store = await backend.freshStore();
    const client = createPublicClient({ transport: http(anvil.url, { retryCount: 0 }) });
    const reader = createChainReader({ client, logAddress: deployment.addresses.log });
    // The reader as the indexer sees it, noting the order of the calls that matter here.
    const calls: string[] = [];
    const chain: ChainReader = {
      ...reader,
      nextLogs(from, to) {
        calls.push("nextLogs");
        return reader.nextLogs(from, to);
      },
      logState(hash) {
        calls.push("logState");
        return reader.logState(hash);
      },
    };
    const status = await createIndexer({ store, chain, config: indexerConfig(deployment) }).syncToHead();
    expect(status.logSize).toBe((await onChain()).size);
    // The backfill's measure is a logState call: without the request ahead, it came first.
    expect(calls.slice(0, 2)).toEqual(["nextLogs", "logState"]);
    await store.close();
  }, 120_000);

  test("behavior: a backfill into an empty store folds the campaigns' views; read back instead, the tables are the same", async () => {
    /** Indexes a fresh store, keeping whether its views were folded. */
    const indexWith = async (foldViewsUpTo: bigint | undefined) => {
      const store = await backend.freshStore();
      const folded: unknown[] = [];
      const logger: Logger = {
        info(message, fields) {
          if (message === "views refreshed") folded.push(fields?.campaignsFolded);
        },
        warn() {},
        error() {},
      };
      const config = { ...indexerConfig(deployment), ...(foldViewsUpTo === undefined ? {} : { foldViewsUpTo }) };
      await indexerOn(anvil.url, store, config, { logger }).syncToHead();
      const digest = await digestAll(store);
      await store.close();
      return { folded, digest };
    };
    const { size } = await onChain();
    const byDefault = await indexWith(undefined);
    const exactly = await indexWith(size);
    const never = await indexWith(0n);
    const tooLong = await indexWith(size - 1n);
    expect([byDefault.folded, exactly.folded, never.folded, tooLong.folded]).toStrictEqual([
      [true],
      [true],
      [false],
      [false],
    ]);
    expect(byDefault.digest).toBe(never.digest);
    expect(exactly.digest).toBe(never.digest);
  }, 120_000);

  test("behavior: batches written in several statements give the same tables as in one each", async () => {
    const whole = await plainBackfill();
    // Statements of 7 entries: every batch of more split, at every offset in its blocks.
    const split = await backend.freshStore();
    await indexerOn(anvil.url, split, { ...indexerConfig(deployment), entriesPerStatement: 7 }).syncToHead();
    expect(whole.largestBatch).toBeGreaterThan(7 * 3);
    expect(await digestAll(split)).toBe(whole.digest);
    await split.close();
  }, 120_000);

  test("error: a number of entries per statement that is not a positive integer is refused, naming the setting", async () => {
    const store = await backend.freshStore();
    for (const entriesPerStatement of [0, -1, 2.5, Number.NaN]) {
      expect(() => indexerOn(anvil.url, store, { ...indexerConfig(deployment), entriesPerStatement })).toThrow(
        `entriesPerStatement must be a positive integer, not ${entriesPerStatement}.`,
      );
    }
    await store.close();
  });

  test("behavior: resuming after a stop gives the same tables as one uninterrupted run", async () => {
    const twice = await backend.freshStore();
    // Small ranges and a stop part-way: the second indexer continues from the stored cursor.
    const first = indexerOn(anvil.url, twice, indexerConfig(deployment), { initialRange: 4n, maxRange: 8n });
    const running = first.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await first.stop();
    await running.catch(() => {});
    await indexerOn(anvil.url, twice, indexerConfig(deployment)).syncToHead();
    expect(await digestAll(twice)).toBe((await plainBackfill()).digest);
    await twice.close();
  }, 120_000);

  test("behavior: an indexer whose store another indexer moved on reads the cursor again (it keeps it between batches)", async () => {
    const shared = await backend.freshStore();
    const config = { ...indexerConfig(deployment), deferIndexesFrom: 10n ** 9n };
    const client = createPublicClient({ transport: http(anvil.url, { retryCount: 0 }) });
    const reader = createChainReader({ client, logAddress: deployment.addresses.log, initialRange: 2n, maxRange: 4n });
    // While the first indexer prepares its third batch, the second indexes the whole chain into the
    // same store: the first's next write starts from a cursor that is no longer the store's.
    let calls = 0;
    const chain: ChainReader = {
      ...reader,
      async logState(blockHash) {
        calls += 1;
        if (calls === 3) await indexerOn(anvil.url, shared, config).syncToHead();
        return reader.logState(blockHash);
      },
    };
    const warnings: string[] = [];
    const logger: Logger = { info() {}, warn: (message) => warnings.push(message), error() {} };
    const status = await createIndexer({ store: shared, chain, config, logger }).syncToHead({ maxAttempts: 3 });
    expect(status.logSize).toBe((await onChain()).size);
    expect(warnings.some((w) => w.includes("The store moved on"))).toBe(true);
    expect(await digestAll(shared)).toBe((await plainBackfill()).digest);
    await shared.close();
  }, 120_000);

  test("behavior: a long backfill builds the entries' indexes at the end, even after a stop part-way", async () => {
    const indexed = await backend.freshStore();
    await indexerOn(anvil.url, indexed, indexerConfig(deployment)).syncToHead();
    const indexesOf = (store: typeof indexed) =>
      store.query<{ indexname: string; indexdef: string }>(
        "select indexname, indexdef from pg_indexes where tablename = 'entries' and schemaname = current_schema() order by indexname",
      );
    const expected = await indexesOf(indexed);
    expect(expected.length).toBeGreaterThan(2);
    const streamKeyOf = (store: typeof indexed) =>
      store.query<{ definition: string }>(
        `select pg_get_constraintdef(oid) as definition from pg_constraint
         where conrelid = 'entry_streams'::regclass and contype = 'p'`,
      );

    const bulk = await backend.freshStore();
    const first = indexerOn(
      anvil.url,
      bulk,
      { ...indexerConfig(deployment), deferIndexesFrom: 1n },
      { initialRange: 4n, maxRange: 8n },
    );
    const running = first.start();
    const count = async (sql: string) => (await bulk.query<{ n: bigint }>(sql))[0]?.n ?? 0n;
    while ((await count("select count(*) as n from entries")) === 0n) await new Promise((r) => setTimeout(r, 20));
    await first.stop();
    await running.catch(() => {});
    // Stopped part-way: only the primary key of entries and the few kept row by row are left, the
    // others wait in deferred_indexes, with the key of entry_streams.
    const left = ["entries_pkey", ...KEPT_LIVE].sort();
    expect((await indexesOf(bulk)).map((i) => i.indexname)).toStrictEqual(left);
    expect(await streamKeyOf(bulk)).toStrictEqual([]);
    // Those kept are partial: few entries have a row in them.
    for (const index of expected.filter((i) => KEPT_LIVE.includes(i.indexname)))
      expect(index.indexdef).toMatch(/ WHERE /);
    const setAside = expected.length - left.length + 1;
    expect(setAside).toBeGreaterThan(2);
    expect(await count("select count(*) as n from deferred_indexes")).toBe(BigInt(setAside));

    // The next run (not a long backfill by its own measure) builds them when it catches up.
    await indexerOn(anvil.url, bulk, indexerConfig(deployment)).syncToHead();
    expect(await indexesOf(bulk)).toStrictEqual(expected);
    expect(await streamKeyOf(bulk)).toStrictEqual(await streamKeyOf(indexed));
    expect(await streamKeyOf(bulk)).toStrictEqual([{ definition: "PRIMARY KEY (stream_id, idx)" }]);
    expect(await count("select count(*) as n from deferred_indexes")).toBe(0n);
    expect(await digestAll(bulk)).toBe(await digestAll(indexed));
    await indexed.close();
    await bulk.close();
  }, 120_000);

  test("error: an index that cannot be built fails the catch-up loudly and stays set aside, the others are built", async () => {
    const store = await backend.freshStore();
    const config = { ...indexerConfig(deployment), deferIndexesFrom: 1n };
    await indexerOn(anvil.url, store, config).syncToHead();
    const indexes = () =>
      store.query<{ name: string; definition: string }>(
        `select indexname as name, indexdef as definition from pg_indexes
         where tablename = 'entries' and schemaname = current_schema() and indexname <> 'entries_pkey' order by 1`,
      );
    const built = await indexes();
    expect(built.length).toBeGreaterThan(2);
    // Set them aside again, with one among them that no database can build.
    for (const { name, definition } of built) {
      await store.query(`drop index ${name}`);
      await store.query("insert into deferred_indexes (name, definition) values ($1, $2)", [name, definition]);
    }
    await store.query("insert into deferred_indexes (name, definition) values ($1, $2)", [
      "entries_broken",
      "create index entries_broken on entries (no_such_column)",
    ]);

    // The views are refreshed meanwhile, and the other indexes built; the broken one's error is
    // what the catch-up reports, and it alone waits.
    await expect(indexerOn(anvil.url, store, config).syncToHead({ maxAttempts: 2 })).rejects.toThrow(/no_such_column/);
    const waiting = await store.query<{ name: string }>("select name from deferred_indexes");
    expect(waiting).toStrictEqual([{ name: "entries_broken" }]);
    expect(await indexes()).toStrictEqual(built);
    const views = await store.query<{ log_size: bigint }>("select log_size from views_cursor");
    expect(views[0]?.log_size).toBe((await onChain()).size);

    await store.query("delete from deferred_indexes where name = 'entries_broken'");
    await indexerOn(anvil.url, store, config).syncToHead();
    expect(await indexes()).toStrictEqual(built);
    expect((await store.query<{ n: bigint }>("select count(*) as n from deferred_indexes"))[0]?.n).toBe(0n);
    await store.close();
  }, 120_000);

  test("error: a stream key that cannot be built fails the catch-up, stays set aside, and the others are built", async () => {
    const store = await backend.freshStore();
    const config = { ...indexerConfig(deployment), deferIndexesFrom: 1n };
    await indexerOn(anvil.url, store, config).syncToHead();
    const waiting = async () =>
      (await store.query<{ name: string }>("select name from deferred_indexes order by name")).map((r) => r.name);
    // Set everything aside again, and break the key with a row that repeats one (as only a bug could).
    await deferIndexes(store);
    expect(await waiting()).toContain(STREAM_KEY);
    await store.query("insert into entry_streams select stream_id, idx, prev_idx from entry_streams limit 1");

    await expect(indexerOn(anvil.url, store, config).syncToHead({ maxAttempts: 2 })).rejects.toThrow(
      /could not create unique index "entry_streams_pkey"/,
    );
    expect(await waiting()).toStrictEqual([STREAM_KEY]);

    // Mended, the next run builds it.
    await store.query(
      `delete from entry_streams a using entry_streams b
       where a.ctid > b.ctid and a.stream_id = b.stream_id and a.idx = b.idx`,
    );
    await indexerOn(anvil.url, store, config).syncToHead();
    expect(await waiting()).toStrictEqual([]);
    const key = await store.query(
      "select 1 from pg_constraint where conrelid = 'entry_streams'::regclass and conname = $1",
      [STREAM_KEY],
    );
    expect(key).toHaveLength(1);
    await store.close();
  }, 120_000);

  test("error: an RPC of another chain is refused with a clear message", async () => {
    const store = await backend.freshStore();
    const indexer = indexerOn(anvil.url, store, { ...indexerConfig(deployment), chainId: 1 });
    await expect(indexer.syncToHead()).rejects.toThrow(/serves chain 31337, but this ledger is on chain 1/);
    await store.close();
  });

  test("error: a log address without code is refused", async () => {
    const store = await backend.freshStore();
    const config = indexerConfig(deployment);
    const indexer = indexerOn(anvil.url, store, {
      ...config,
      addresses: { ...config.addresses, log: "0x000000000000000000000000000000000000dEaD" },
    });
    await expect(indexer.syncToHead()).rejects.toThrow(/No contract at the TransparencyLog address/);
    await store.close();
  });
});
