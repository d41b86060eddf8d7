/**
 * The options every command shares, and where their defaults come from: a flag, then an
 * environment variable, then the layout `npm start` creates on this machine.
 */

import { homedir } from "node:os";
import { join } from "node:path";

export type GlobalOptions = {
  deployment: string;
  rpc: string;
  api: string;
  json: boolean;
  quiet: boolean;
  keystoreDir: string;
  key: string | undefined;
};

export const DEFAULT_RPC = "http://127.0.0.1:8545";
export const DEFAULT_API = "http://127.0.0.1:8787";

export function defaultDeploymentFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SHANJI_DEPLOYMENT) return env.SHANJI_DEPLOYMENT;
  return join(env.SHANJI_DATA_DIR || ".shanji", "deployment.json");
}

export function defaultKeystoreDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SHANJI_KEYSTORE_DIR || join(homedir(), ".shanji", "keys");
}

/** Reads commander's merged options (the root's and the command's own) into GlobalOptions. */
export function globalOptions(opts: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): GlobalOptions {
  const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
  return {
    deployment: text(opts.deployment) ?? defaultDeploymentFile(env),
    rpc: text(opts.rpc) ?? (env.SHANJI_RPC_URL || DEFAULT_RPC),
    api: (text(opts.api) ?? (env.SHANJI_API_URL || DEFAULT_API)).replace(/\/+$/, ""),
    json: opts.json === true,
    quiet: opts.quiet === true,
    keystoreDir: text(opts.keystoreDir) ?? defaultKeystoreDir(env),
    key: text(opts.key) ?? text(env.SHANJI_KEY),
  };
}
