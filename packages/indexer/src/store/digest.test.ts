import { createHash } from "node:crypto";
import { expect, test } from "vitest";
import { describeEachBackend } from "./_test/testDatabase.ts";
import { digestStore } from "./digest.ts";
import type { Store } from "./types.ts";

const TABLES = ["entries", "entry_streams", "self_check_failures"];

const entries = [0n, 1n, 2n].map((idx) => ({
  idx,
  leaf: new Uint8Array([Number(idx), 0xff]),
  record: { kind: "donation", amount: String(1000n * (idx + 1n)), tags: ["a", "b"], nested: { y: 1, x: null } },
}));

async function fill(store: Store, order: readonly number[] = [0, 1, 2]): Promise<void> {
  for (const position of order) {
    const entry = entries[position];
    if (!entry) throw new Error(`no entry ${position}`);
    await store.query(
      `insert into entries (idx, block_number, tx_hash, log_index, kind, actor_org, ts, leaf, leaf_hash, record)
       values ($1, 10, '\\xaa', 0, 1, 7, 1700000000, $2, '\\xbb', $3)`,
      [entry.idx, entry.leaf, entry.record],
    );
    await store.query("insert into entry_streams (stream_id, idx, prev_idx) values ('\\x01', $1, $2)", [
      entry.idx,
      entry.idx === 0n ? null : entry.idx - 1n,
    ]);
  }
  await store.query(
    `insert into self_check_failures (from_block, to_block, expected_root, computed_root, message)
     values (1, 2, '\\x01', '\\x02', '根不一致')`,
  );
}

describeEachBackend("digestStore", (backend) => {
  test("behavior: a fixed data set has a fixed digest, the same on every backend", async () => {
    const store = await backend.freshStore();
    await fill(store);
    expect(await digestStore(store, { tables: TABLES })).toBe(
      "720f1a80815254c9806ea6075fe73e3e6bb66972aadc3fb86e8cc709d7ac80a5",
    );
  });

  test("behavior: empty tables digest to their headers alone", async () => {
    const store = await backend.freshStore();
    const expected = createHash("sha256")
      .update("table streams\ncolumns stream_id,count,last_idx\n")
      .update("table tree_nodes\ncolumns level,pos,hash\n")
      .digest("hex");
    expect(await digestStore(store, { tables: ["streams", "tree_nodes"] })).toBe(expected);
  });

  test("behavior: the order rows were written in does not matter", async () => {
    const first = await backend.freshStore();
    const second = await backend.freshStore();
    await fill(first, [0, 1, 2]);
    await fill(second, [2, 0, 1]);
    expect(await digestStore(second, { tables: TABLES })).toBe(await digestStore(first, { tables: TABLES }));
  });

  test("behavior: volatile columns are left out", async () => {
    const first = await backend.freshStore();
    const second = await backend.freshStore();
    // Use up a serial id and let the clock move, so that id and at differ between the two.
    await second.query(
      `insert into self_check_failures (from_block, to_block, expected_root, computed_root, message, at)
       values (0, 0, '\\x', '\\x', '', now() - interval '1 day')`,
    );
    await second.query("delete from self_check_failures");
    await new Promise((resolve) => setTimeout(resolve, 20));
    await fill(first);
    await fill(second);
    const tables = [...TABLES, "schema_migrations"];
    expect(await digestStore(second, { tables })).toBe(await digestStore(first, { tables }));
  });

  test("behavior: any changed value changes the digest", async () => {
    const store = await backend.freshStore();
    await fill(store);
    const digests = new Set([await digestStore(store, { tables: TABLES })]);
    await store.query("update entries set leaf = '\\x02fe' where idx = 2");
    digests.add(await digestStore(store, { tables: TABLES }));
    await store.query(`update entries set record = jsonb_set(record, '{nested,x}', '"0"') where idx = 0`);
    digests.add(await digestStore(store, { tables: TABLES }));
    await store.query("update entry_streams set prev_idx = null where idx = 1");
    digests.add(await digestStore(store, { tables: TABLES }));
    await store.query("update self_check_failures set message = '根一致'");
    digests.add(await digestStore(store, { tables: TABLES }));
    expect(digests.size).toBe(5);
  });

  test("args: excludeColumns leaves more columns out", async () => {
    const first = await backend.freshStore();
    const second = await backend.freshStore();
    await fill(first);
    await fill(second);
    await second.query("update entries set ts = 0");
    const tables = ["entries"];
    expect(await digestStore(second, { tables })).not.toBe(await digestStore(first, { tables }));
    const excludeColumns = { entries: ["ts"] };
    expect(await digestStore(second, { tables, excludeColumns })).toBe(
      await digestStore(first, { tables, excludeColumns }),
    );
  });

  test("error: a table that does not exist", async () => {
    const store = await backend.freshStore();
    await expect(digestStore(store, { tables: ["nope"] })).rejects.toThrow("cannot digest table nope: no such table");
  });

  test("error: a table without a primary key", async () => {
    const store = await backend.freshStore();
    await store.query("create table loose (x int)");
    await expect(digestStore(store, { tables: ["loose"] })).rejects.toThrow(
      "cannot digest table loose: it has no primary key to order its rows by",
    );
  });
});
