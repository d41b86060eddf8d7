/** GETs JSON from the Shanji API, with errors that say which URL failed and how. */
import { CliError, exitCode } from "../common/cliError.ts";

export type ApiGet = <T>(path: string, options?: { allow404?: boolean }) => Promise<T | undefined>;

export function createApiClient(base: string): ApiGet {
  return async <T>(path: string, options: { allow404?: boolean } = {}) => {
    const url = `${base}${path}`;
    let response: Response;
    try {
      response = await fetch(url, { headers: { accept: "application/json" }, signal: AbortSignal.timeout(60_000) });
    } catch (error) {
      throw new CliError(`cannot reach the API at ${base}`, {
        exitCode: exitCode.unavailable,
        details: `${error instanceof Error ? error.message : String(error)}\nName it with --api URL (SHANJI_API_URL), or check the chain alone with --from-chain.`,
        cause: error,
      });
    }
    if (response.status === 404 && options.allow404) return undefined;
    const text = await response.text();
    if (!response.ok) {
      throw new CliError(`the API answered ${url} with HTTP ${response.status}`, {
        exitCode: exitCode.unavailable,
        details: text.slice(0, 500),
      });
    }
    try {
      return JSON.parse(text) as T;
    } catch (error) {
      throw new CliError(`the API's answer to ${url} is not JSON`, { exitCode: exitCode.unavailable, cause: error });
    }
  };
}

/** The shapes of the API contract (.shanji/plan/api-contract.md) that verify reads. */
export type ApiProof = { index: string; treeSize: string; root: string; inclusion: string[]; blockNumber: string };
export type ApiEntry = {
  index: string;
  blockNumber?: string;
  leaf: string;
  leafHash?: string;
  kind?: number;
  kindName?: string;
  entry?: unknown;
  proof: ApiProof;
};
export type ApiHistory = {
  stream: string;
  head: {
    count: string;
    lastIndex: string;
    lastLeafHash16: string;
    blockNumber: string;
    treeSize: string;
    root: string;
  };
  items: { index: string; prevIndex: string | null; leaf: string; proof: ApiProof }[];
  nextCursor: string | null;
};
export type ApiCheckpoint = { size: string; root: string; blockNumber: string | null; checkpoint: string };
export type ApiConsistency = {
  from: string;
  to: string;
  fromRoot: string;
  toRoot: string;
  fromBlock: string | null;
  toBlock: string | null;
  proof: string[];
};
