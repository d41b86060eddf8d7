// The receipt file's lock on a file system without hard links (FAT, exFAT, some network shares):
// link() is replaced here by one that fails as it does there, since no such file system is mounted.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { exitCode } from "../common/cliError.ts";
import { lockReceipts } from "./importLock.ts";

vi.mock("node:fs/promises", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs/promises")>();
  return {
    ...actual,
    link: vi.fn(async () => {
      throw Object.assign(new Error("EPERM: operation not permitted, link"), { code: "EPERM" });
    }),
  };
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "shanji-lock-nolinks-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("the receipt file's lock without hard links", () => {
  test("behavior: it is created exclusively, refuses a second import, and is released", async () => {
    const receipts = join(dir, "gifts.receipts.csv");
    const lock = await lockReceipts(receipts, "gifts.csv");
    expect(JSON.parse(await readFile(lock.path, "utf8"))).toMatchObject({ pid: process.pid, file: "gifts.csv" });
    await expect(lockReceipts(receipts, "gifts.csv")).rejects.toMatchObject({ exitCode: exitCode.busy });
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
    expect(existsSync(join(dir, `.gifts.receipts.csv.lock.${process.pid}.tmp`))).toBe(false);
  });
});
