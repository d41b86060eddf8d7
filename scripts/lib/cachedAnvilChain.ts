/**
 * A benchmark's anvil chain, filled once and kept as anvil's own state dump (in .shanji/bench/,
 * git-ignored) for the next runs while its key — what the fill depends on — is unchanged.
 *
 * The dump is written on SIGTERM with `--preserve-historical-states`, so that eth_call at past
 * blocks (the indexer reads root() at each batch's last block) still answers after a reload;
 * `anvil_dumpState` over RPC leaves those states out. A large dump takes longer than the five
 * seconds startAnvil's stop() waits before SIGKILL, so the dump is awaited before stop(), and
 * written aside and renamed, so that an interrupted run never leaves a truncated cache behind.
 * (The same steps as scripts/bench-indexer.ts's chain, for any fill.)
 */
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { startAnvil } from "./anvil.ts";

/** Loading a state of a few hundred MB takes anvil a while. */
const ANVIL_LOAD_TIMEOUT_MS = 15 * 60_000;
const MiB = 1024 * 1024;

export type CachedAnvilChainParameters<M> = {
  cacheDir: string;
  /** Names the files: `<name>-<key>.anvil.json` and `.meta.json`; older keys of the same name are removed. */
  name: string;
  /** Changes whenever the fill would differ (contracts, parameters, format). */
  key: string;
  /** anvil flags besides the state ones (e.g. `--accounts 20`), the same when filling and loading. */
  args?: readonly string[];
  /** Fills a new chain at `url` and returns what to remember about it (JSON-serialisable). */
  fill: (url: string) => Promise<M>;
  /** Checks a loaded chain against its meta (e.g. its head and log size); false refills. */
  matches?: (url: string, meta: M) => Promise<boolean>;
  log?: (message: string) => void;
};

export type CachedAnvilChain<M> = {
  url: string;
  meta: M;
  /** Whether the chain came from the cache rather than a fill in this run. */
  cached: boolean;
  /** Seconds the fill took, in this run or in the run that cached it. */
  filledSeconds: number;
  loadedSeconds: number;
  stateFile: string;
  stop: () => Promise<void>;
};

type MetaFile<M> = { key: string; filledSeconds: number; meta: M };

export async function openCachedAnvilChain<M>(parameters: CachedAnvilChainParameters<M>): Promise<CachedAnvilChain<M>> {
  const { cacheDir, name, key, args = [], fill, matches, log = console.log } = parameters;
  const stateFile = join(cacheDir, `${name}-${key}.anvil.json`);
  const metaFile = join(cacheDir, `${name}-${key}.meta.json`);
  const load = async () => {
    const started = performance.now();
    const anvil = await startAnvil({
      silent: true,
      timeoutMs: ANVIL_LOAD_TIMEOUT_MS,
      args: [...args, "--load-state", stateFile, "--preserve-historical-states"],
    });
    return { anvil, loadedSeconds: Math.round((performance.now() - started) / 100) / 10 };
  };

  if (existsSync(stateFile) && existsSync(metaFile)) {
    const saved = JSON.parse(await readFile(metaFile, "utf8")) as MetaFile<M>;
    log(`chain: loading ${stateFile} (${Math.round((await stat(stateFile)).size / MiB)} MiB)…`);
    const { anvil, loadedSeconds } = await load();
    if (saved.key === key && (!matches || (await matches(anvil.url, saved.meta)))) {
      log(`chain: loaded in ${loadedSeconds} s (filling it took ${saved.filledSeconds} s)`);
      return {
        url: anvil.url,
        meta: saved.meta,
        cached: true,
        filledSeconds: saved.filledSeconds,
        loadedSeconds,
        stateFile,
        stop: anvil.stop,
      };
    }
    log("chain: the cached chain does not match its description; refilling");
    await anvil.stop();
    await rm(stateFile, { force: true });
    await rm(metaFile, { force: true });
  }

  await mkdir(cacheDir, { recursive: true });
  for (const file of await readdir(cacheDir)) {
    if (file.startsWith(`${name}-`) && !file.startsWith(`${name}-${key}.`))
      await rm(join(cacheDir, file), { force: true });
  }
  const partial = `${stateFile}.${process.pid}.partial`;
  const started = performance.now();
  const filling = await startAnvil({
    silent: true,
    args: [...args, "--dump-state", partial, "--preserve-historical-states"],
  });
  let meta: M;
  try {
    meta = await fill(filling.url);
  } catch (error) {
    await filling.stop();
    await rm(partial, { force: true });
    throw error;
  }
  const filledSeconds = Math.round((performance.now() - started) / 100) / 10;
  log(`chain: filled in ${filledSeconds} s; writing anvil's state…`);
  await dumpAndStop(filling);
  await rename(partial, stateFile);
  await writeFile(metaFile, `${JSON.stringify({ key, filledSeconds, meta } satisfies MetaFile<M>, null, 2)}\n`);
  // Measure against the cached chain, as later runs will.
  const { anvil, loadedSeconds } = await load();
  return { url: anvil.url, meta, cached: false, filledSeconds, loadedSeconds, stateFile, stop: anvil.stop };
}

/** SIGTERM makes anvil write its `--dump-state` file; waits for that before stop(), which would SIGKILL after 5 s. */
export async function dumpAndStop(anvil: { pid: number; stop: () => Promise<void> }): Promise<void> {
  process.kill(anvil.pid, "SIGTERM");
  const deadline = Date.now() + ANVIL_LOAD_TIMEOUT_MS;
  while (isRunning(anvil.pid)) {
    if (Date.now() > deadline) throw new Error("anvil did not finish writing its state in time");
    await sleep(100);
  }
  await anvil.stop();
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
