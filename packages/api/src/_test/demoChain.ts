/**
 * The chain the API's tests ask about: anvil with the contracts deployed and a small demo data set
 * recorded (scripts/demo), built once per test run by `globalSetup.ts` and saved as anvil's own
 * state dump. Each test file loads its own copy into a fresh anvil and indexes it into a fresh
 * store, so files never share a chain or a database.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { Deployment } from "@shanji/indexer";
import type { Hex } from "viem";
import { connectDemoSystem } from "../../../../scripts/demo/connectDemoSystem.ts";
import { type DemoSummary, recordDemo } from "../../../../scripts/demo/recordDemo.ts";
import { deploySystem } from "../../../../scripts/deploy/deploySystem.ts";
import { startAnvil } from "../../../../scripts/lib/anvil.ts";

/** Donations from people in the tests' demo data set (the demo scales the other records with it). */
export const TEST_DEMO_DONATIONS = 300;
export const TEST_DEMO_SEED = 2026;

export type DemoChain = {
  /** anvil's state dump: load with `--load-state <file> --preserve-historical-states`. */
  stateFile: string;
  deployment: Deployment;
  demo: DemoSummary;
};

const FILES = { state: "anvil-state.json", meta: "demo.json" } as const;

/** Deploys and records the demo on a new anvil, then saves its state into `dir`. */
export async function buildDemoChain(dir: string): Promise<DemoChain> {
  const stateFile = join(dir, FILES.state);
  const anvil = await startAnvil({
    silent: true,
    stateFile,
    args: ["--accounts", "20", "--preserve-historical-states"],
  });
  try {
    const deployment = await deploySystem({ rpcUrl: anvil.url, deploymentDir: join(dir, "ignition") });
    const system = await connectDemoSystem(deployment, anvil.url);
    const demo = await recordDemo(system, { seed: TEST_DEMO_SEED, donations: TEST_DEMO_DONATIONS });
    await writeFile(join(dir, FILES.meta), stringify({ deployment, demo }));
    return { stateFile, deployment, demo };
  } finally {
    // With a state file, stop() lets anvil write it before it ends.
    await anvil.stop();
  }
}

/** The chain `buildDemoChain` saved into `dir`. */
export async function readDemoChain(dir: string): Promise<DemoChain> {
  const { deployment, demo } = parse(await readFile(join(dir, FILES.meta), "utf8")) as Omit<DemoChain, "stateFile">;
  return { stateFile: join(dir, FILES.state), deployment, demo };
}

/** JSON with bigints and Maps kept: `{ "$bigint": "12" }`, `{ "$map": [[k, v], ...] }`. */
function stringify(value: unknown): string {
  return JSON.stringify(value, (_key, v) => {
    if (typeof v === "bigint") return { $bigint: v.toString() };
    if (v instanceof Map) return { $map: [...v.entries()] };
    return v;
  });
}

function parse(text: string): unknown {
  return JSON.parse(text, (_key, v) => {
    if (v && typeof v === "object" && typeof v.$bigint === "string") return BigInt(v.$bigint);
    if (v && typeof v === "object" && Array.isArray(v.$map)) return new Map(v.$map as [Hex, unknown][]);
    return v;
  });
}
