// The receipt file's lock on its own (runImport.test.ts runs it end to end, with real imports).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, test } from "vitest";
import { CliError, exitCode } from "../common/cliError.ts";
import { lockReceipts } from "./importLock.ts";

let dir: string;
let receipts: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "shanji-lock-"));
  receipts = join(dir, "gifts.receipts.csv");
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pid of a process that has ended. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ["-e", "process.stdout.write(String(process.pid))"], { encoding: "utf8" });
  return Number(child.stdout);
}

async function refusal(promise: Promise<unknown>): Promise<CliError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe("the receipt file's lock", () => {
  test("behavior: held, it names its process; released, it is gone and can be taken again", async () => {
    const lock = await lockReceipts(receipts, "gifts.csv");
    expect(lock.path).toBe(`${receipts}.lock`);
    expect(JSON.parse(await readFile(lock.path, "utf8"))).toMatchObject({
      pid: process.pid,
      host: hostname(),
      file: "gifts.csv",
    });
    await lock.release();
    expect(existsSync(lock.path)).toBe(false);
    await (await lockReceipts(receipts, "gifts.csv")).release();
    // No temporary file is left beside it.
    expect(existsSync(join(dir, `.gifts.receipts.csv.lock.${process.pid}.tmp`))).toBe(false);
  });

  test("error: a lock held by a live process is refused with exit code 7, naming the holder", async () => {
    const lock = await lockReceipts(receipts, "gifts.csv");
    const error = await refusal(lockReceipts(receipts, "other.csv"));
    expect(error.exitCode).toBe(exitCode.busy);
    expect(error.message).toBe(
      `another shanji import is using ${receipts} (process ${process.pid} on ${hostname()}, importing gifts.csv, since ${JSON.parse(await readFile(lock.path, "utf8")).since})`,
    );
    expect(error.details).toContain(`If no import is running, delete ${receipts}.lock.`);
    await lock.release();
  });

  test("behavior: a lock whose process is gone is taken over", async () => {
    const pid = deadPid();
    await writeFile(`${receipts}.lock`, JSON.stringify({ pid, host: hostname(), since: "then", file: "gifts.csv" }));
    const lock = await lockReceipts(receipts, "gifts.csv");
    expect(JSON.parse(await readFile(lock.path, "utf8")).pid).toBe(process.pid);
    await lock.release();
  });

  test("behavior: a lock from another host is never taken over (its process cannot be seen from here)", async () => {
    const pid = deadPid();
    await writeFile(`${receipts}.lock`, JSON.stringify({ pid, host: `not-${hostname()}`, since: "then", file: "x" }));
    expect((await refusal(lockReceipts(receipts, "gifts.csv"))).exitCode).toBe(exitCode.busy);
  });

  test("error: a lock file shanji did not write is refused, not removed", async () => {
    await writeFile(`${receipts}.lock`, "hello");
    const error = await refusal(lockReceipts(receipts, "gifts.csv"));
    expect(error.exitCode).toBe(exitCode.busy);
    expect(error.message).toBe(`the lock file ${receipts}.lock is unreadable`);
    expect(await readFile(`${receipts}.lock`, "utf8")).toBe("hello");
  });

  test("behavior: releasing never removes a lock another process took over meanwhile", async () => {
    const lock = await lockReceipts(receipts, "gifts.csv");
    const theirs = JSON.stringify({ pid: process.pid + 1, host: hostname(), since: "now", file: "x" });
    await writeFile(lock.path, theirs);
    await lock.release();
    expect(await readFile(lock.path, "utf8")).toBe(theirs);
  });

  test("error: a folder that cannot hold the lock says so", async () => {
    const error = await refusal(lockReceipts(join(dir, "missing", "gifts.receipts.csv"), "gifts.csv"));
    expect(error.exitCode).toBe(exitCode.invalidInput);
    expect(error.message).toMatch(/^cannot create the lock file .*missing\/gifts\.receipts\.csv\.lock: ENOENT/);
    expect(error.details).toBe(
      "The lock file goes beside the receipt file (--receipts): its folder must exist and be writable.",
    );
  });
});
