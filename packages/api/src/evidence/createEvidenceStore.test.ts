import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { text } from "node:stream/consumers";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { createEvidenceStore, EvidenceHashMismatchError, type EvidenceStore } from "./createEvidenceStore.ts";

const bytes = (s: string) => new TextEncoder().encode(s);
const hashOf = (s: string) => `0x${createHash("sha256").update(s).digest("hex")}` as const;
const OPERATOR = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

describe("createEvidenceStore", () => {
  let parent: string;
  let dir: string;
  let store: EvidenceStore;
  beforeEach(async () => {
    parent = await mkdtemp(join(tmpdir(), "shanji-evidence-"));
    dir = join(parent, "evidence");
    store = createEvidenceStore(dir);
  });
  afterEach(() => rm(parent, { recursive: true, force: true }));

  test("behavior: put stores the bytes under their SHA-256 and the metadata beside them; get reads both back", async () => {
    const put = await store.put(bytes("发票 No.1"), {
      contentType: "text/plain; charset=utf-8",
      restricted: false,
      orgId: 7n,
      uploader: OPERATOR.toLowerCase() as `0x${string}`,
      uploadedAt: 1_767_225_600,
    });
    const sha256 = hashOf("发票 No.1");
    const metadata = {
      sha256,
      size: bytes("发票 No.1").length,
      contentType: "text/plain; charset=utf-8",
      restricted: false,
      orgId: 7n,
      uploader: OPERATOR,
      uploadedAt: 1_767_225_600,
    };
    expect(put).toStrictEqual({ metadata, created: true });
    expect(await readFile(join(dir, sha256.slice(2)), "utf8")).toBe("发票 No.1");
    expect(JSON.parse(await readFile(join(dir, `${sha256.slice(2)}.json`), "utf8"))).toStrictEqual({
      ...metadata,
      orgId: "7",
    });
    const got = await store.get(sha256);
    expect(got?.metadata).toStrictEqual(metadata);
    expect(got ? await text(got.open()) : undefined).toBe("发票 No.1");
    // Hex in any case, with or without 0x, names the same file.
    expect((await store.get(sha256.slice(2).toUpperCase()))?.metadata).toStrictEqual(metadata);
    // Only the file and its metadata are left: no temporary files.
    expect((await readdir(dir)).sort()).toStrictEqual([sha256.slice(2), `${sha256.slice(2)}.json`]);
  });

  test("behavior: the first upload's metadata stands, also when uploads of the same bytes race", async () => {
    const results = await Promise.all(
      [true, false, true, false].map((restricted) =>
        store.put(bytes("same bytes"), { contentType: "text/plain", restricted }),
      ),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const winner = results.find((r) => r.created)?.metadata;
    for (const r of results) expect(r.metadata).toStrictEqual(winner);
    expect((await store.get(hashOf("same bytes")))?.metadata).toStrictEqual(winner);
    const later = await store.put(bytes("same bytes"), {
      contentType: "application/json",
      restricted: !winner?.restricted,
    });
    expect(later).toStrictEqual({ metadata: winner, created: false });
    expect((await readdir(dir)).filter((name) => name.endsWith(".tmp"))).toStrictEqual([]);
  });

  test("error: an expected SHA-256 that the bytes do not have stores nothing", async () => {
    const wrong = hashOf("other bytes");
    const put = store.put(bytes("these bytes"), { contentType: "text/plain", restricted: false, sha256: wrong });
    await expect(put).rejects.toThrow(EvidenceHashMismatchError);
    await expect(put).rejects.toThrow(`the file's SHA-256 is ${hashOf("these bytes")}, not ${wrong}`);
    expect(await store.get(hashOf("these bytes"))).toBeUndefined();
  });

  test("behavior: a file without metadata is restricted, of type application/octet-stream, until an upload classifies it", async () => {
    const sha256 = hashOf("物资捐赠登记：王伟（电话 13800000000）");
    await store.put(bytes("make the folder"), { contentType: "text/plain", restricted: false });
    await writeFile(join(dir, sha256.slice(2)), "物资捐赠登记：王伟（电话 13800000000）");
    expect((await store.get(sha256))?.metadata).toStrictEqual({
      sha256,
      size: bytes("物资捐赠登记：王伟（电话 13800000000）").length,
      contentType: "application/octet-stream",
      restricted: true,
      orgId: null,
      uploader: null,
      uploadedAt: null,
    });
    const put = await store.put(bytes("物资捐赠登记：王伟（电话 13800000000）"), {
      contentType: "text/plain; charset=utf-8",
      restricted: true,
    });
    expect(put.created).toBe(true);
    expect((await store.get(sha256))?.metadata.contentType).toBe("text/plain; charset=utf-8");
  });

  test("behavior: unreadable metadata counts as none (restricted)", async () => {
    const { metadata } = await store.put(bytes("public"), { contentType: "image/png", restricted: false });
    await writeFile(join(dir, `${metadata.sha256.slice(2)}.json`), "{ not json");
    expect((await store.get(metadata.sha256))?.metadata).toMatchObject({
      restricted: true,
      contentType: "application/octet-stream",
    });
  });

  test("args: get of a file never stored is undefined; a name that is not a SHA-256 throws", async () => {
    expect(await store.get(hashOf("never stored"))).toBeUndefined();
    await expect(store.get("../../etc/passwd")).rejects.toThrow("not a SHA-256 in hex");
    await expect(store.get(`${hashOf("x")}.json`)).rejects.toThrow("not a SHA-256 in hex");
  });
});
