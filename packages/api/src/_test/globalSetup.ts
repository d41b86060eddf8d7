/**
 * Vitest global setup of the `api` project: builds the demo chain once for all test files and
 * tells them where it is (`inject("apiDemoChainDir")`).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { buildDemoChain } from "./demoChain.ts";

declare module "vitest" {
  export interface ProvidedContext {
    apiDemoChainDir: string;
  }
}

export default async function setup(project: TestProject) {
  const dir = await mkdtemp(join(tmpdir(), "shanji-api-chain-"));
  const started = Date.now();
  await buildDemoChain(dir);
  console.log(`api tests: demo chain built in ${((Date.now() - started) / 1000).toFixed(1)} s (${dir})`);
  project.provide("apiDemoChainDir", dir);
  return async () => {
    await rm(dir, { recursive: true, force: true });
  };
}
