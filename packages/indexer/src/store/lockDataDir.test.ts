// One PGlite folder, one process: a second store on the same folder, in this process or another,
// is refused with who holds it, and the folder is free again once the holder closes it or dies.
import { spawn } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { createPgliteStore } from "./createPgliteStore.ts";
import { DataDirInUseError } from "./lockDataDir.ts";

const folders: string[] = [];
afterEach(async () => {
  for (const folder of folders.splice(0)) await rm(folder, { recursive: true, force: true });
});

async function freshFolder(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "shanji-lock-"));
  folders.push(folder);
  return join(folder, "pglite");
}

/** A child process that opens a store on `dataDir`, says "open", and keeps it until killed. */
function holder(dataDir: string) {
  const store = new URL("./createPgliteStore.ts", import.meta.url).pathname;
  const child = spawn(
    process.execPath,
    [
      "--experimental-strip-types",
      "--no-warnings",
      "--input-type=module",
      "-e",
      `const { createPgliteStore } = await import(${JSON.stringify(store)});
       await createPgliteStore({ dataDir: ${JSON.stringify(dataDir)} });
       console.log("open");
       setInterval(() => {}, 1000);`,
    ],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const opened = new Promise<void>((resolve, reject) => {
    child.stdout.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("open")) resolve();
    });
    child.once("exit", (code) => reject(new Error(`the holder exited (${code}) before opening`)));
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return { child, opened, exited };
}

describe("PGlite folder lock", () => {
  test("error: a folder open in this process is refused to a second store, and free again once closed", async () => {
    const dataDir = await freshFolder();
    const first = await createPgliteStore({ dataDir });
    await first.query("create table kept (x int)");
    const refused = await createPgliteStore({ dataDir }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect(String(refused)).toContain(`The database folder ${dataDir} is open in this process, in another store`);
    // The refusal touched nothing: the first store goes on.
    await first.query("insert into kept values (1)");
    await first.close();
    const again = await createPgliteStore({ dataDir });
    expect(await again.query("select x from kept")).toEqual([{ x: 1 }]);
    await again.close();
  }, 60_000);

  test("error: a folder another process holds is refused, naming it; once that process is killed (-9), its lock is taken over", async () => {
    const dataDir = await freshFolder();
    const { child, opened, exited } = holder(dataDir);
    try {
      await opened;
      const refused = await createPgliteStore({ dataDir }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(DataDirInUseError);
      expect(String(refused)).toContain(`is open in process ${child.pid}: PGlite allows one process at a time`);
    } finally {
      child.kill("SIGKILL");
      await exited;
    }
    // The killed holder left its lock behind; its process is gone, so the lock is stale.
    expect((await readFile(`${dataDir}.lock`, "utf8")).trim()).toBe(String(child.pid));
    const store = await createPgliteStore({ dataDir });
    expect(await store.query("select 1 as one")).toEqual([{ one: 1 }]);
    await store.close();
  }, 60_000);

  test("behavior: a lock file that holds no process id does not keep a store out; closing the store removes it", async () => {
    const dataDir = await freshFolder();
    await writeFile(`${dataDir}.lock`, "not a process id\n");
    const store = await createPgliteStore({ dataDir });
    expect((await readFile(`${dataDir}.lock`, "utf8")).trim()).toBe(String(process.pid));
    await store.close();
    await expect(readFile(`${dataDir}.lock`, "utf8")).rejects.toMatchObject({ code: "ENOENT" });
  }, 60_000);
});

describe("the commands on a folder another process holds", () => {
  /** Runs a command with SHANJI_DATA_DIR set; resolves with its exit code and what it wrote to stderr. */
  function run(script: string, dataDir: string) {
    const child = spawn(process.execPath, ["--experimental-strip-types", "--no-warnings", script], {
      env: { ...process.env, SHANJI_DATA_DIR: dataDir, SHANJI_API_PORT: "8798", DATABASE_URL: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stdout.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return new Promise<{ code: number | null; output: string }>((resolve) =>
      child.once("exit", (code) => resolve({ code, output: stderr })),
    );
  }

  test.each([
    ["shanji-api", "../../../api/src/bin/shanji-api.ts", "[api] cannot open the indexer's database: "],
    ["shanji-indexer", "../bin/shanji-indexer.ts", "cannot open the database: "],
  ])(
    "error: %s exits 1 with one line naming the holder, not a stack trace",
    async (_name, script, prefix) => {
      const folder = join(await freshFolder(), "..");
      // The deployment is read first; its contents do not matter before the store is opened.
      await writeFile(join(folder, "deployment.json"), "{}");
      const holder = await createPgliteStore({ dataDir: join(folder, "pglite") });
      try {
        const { code, output } = await run(new URL(script, import.meta.url).pathname, folder);
        expect(code).toBe(1);
        expect(output).toContain(
          `${prefix}The database folder ${join(folder, "pglite")} is open in process ${process.pid}`,
        );
        expect(output).not.toContain("    at ");
      } finally {
        await holder.close();
      }
    },
    60_000,
  );
});
