/**
 * The deployment a command works on: the file `npm start` writes (`.shanji/deployment.json`),
 * `{ chainId, deployBlock, addresses: { log, registry, charityLedger, volunteerCredit } }`, checked
 * against the chain at `--rpc` (same chain id, the log's code present), so that a command never
 * writes to or verifies against the wrong chain.
 */
import { readFile } from "node:fs/promises";
import {
  type Address,
  type Chain,
  createPublicClient,
  defineChain,
  type Hex,
  http,
  isAddress,
  type PublicClient,
  type Transport,
} from "viem";
import { CliError, exitCode } from "./cliError.ts";

export type Deployment = {
  chainId: number;
  deployBlock: string;
  addresses: { log: Address; registry: Address; charityLedger: Address; volunteerCredit: Address };
};

export async function readDeployment(path: string): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read the deployment file ${path}`, {
      exitCode: exitCode.usage,
      details:
        "Name it with --deployment FILE (or SHANJI_DEPLOYMENT). `npm start` (or `shanji up`) writes .shanji/deployment.json.",
      cause: error,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new CliError(`the deployment file ${path} is not valid JSON`, { cause: error, exitCode: exitCode.usage });
  }
  const d = value as Partial<Deployment>;
  const addresses = (d.addresses ?? {}) as Partial<Deployment["addresses"]>;
  const problems: string[] = [];
  if (!Number.isSafeInteger(d.chainId)) problems.push("chainId must be a number");
  if (typeof d.deployBlock !== "string" || !/^\d+$/.test(d.deployBlock)) {
    problems.push("deployBlock must be a block number as a decimal string");
  }
  for (const name of ["log", "registry", "charityLedger", "volunteerCredit"] as const) {
    if (!isAddress(addresses[name] ?? "", { strict: false })) problems.push(`addresses.${name} must be an address`);
  }
  if (problems.length > 0) {
    throw new CliError(`the deployment file ${path} is malformed: ${problems.join("; ")}`, {
      exitCode: exitCode.usage,
    });
  }
  return d as Deployment;
}

export type ChainConnection = {
  deployment: Deployment;
  rpcUrl: string;
  chain: Chain;
  client: PublicClient<Transport, Chain>;
};

/**
 * Connects to `rpcUrl` and checks that it serves the deployment's chain. `maxResponseBodySize`:
 * viem refuses larger answers; the log reader halves its eth_getLogs ranges when that happens.
 */
export async function connectChain(
  deployment: Deployment,
  rpcUrl: string,
  options: { maxResponseBodySize?: number; batch?: boolean } = {},
): Promise<ChainConnection> {
  const chain = defineChain({
    id: deployment.chainId,
    name: `Shanji chain ${deployment.chainId}`,
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [rpcUrl] } },
  });
  const client = createPublicClient({
    chain,
    transport: http(rpcUrl, {
      timeout: 120_000,
      retryCount: 2,
      ...(options.maxResponseBodySize ? { maxResponseBodySize: options.maxResponseBodySize } : {}),
      ...(options.batch ? { batch: { batchSize: 500, wait: 0 } } : {}),
    }),
    pollingInterval: 100,
  });
  let chainId: number;
  try {
    chainId = await client.getChainId();
  } catch (error) {
    throw new CliError(`cannot reach the chain's RPC at ${rpcUrl}`, {
      exitCode: exitCode.unavailable,
      details: `${shortCause(error)}\nName the RPC with --rpc URL (or SHANJI_RPC_URL); \`npm start\` serves one at http://127.0.0.1:8545.`,
      cause: error,
    });
  }
  if (chainId !== deployment.chainId) {
    throw new CliError(
      `the RPC at ${rpcUrl} serves chain ${chainId}, but the deployment is on chain ${deployment.chainId}`,
      {
        exitCode: exitCode.usage,
        details: "Use the RPC of the deployment's chain, or the deployment file of this chain.",
      },
    );
  }
  const code = await client.getCode({ address: deployment.addresses.log });
  if (!code || code === "0x") {
    throw new CliError(`chain ${chainId} has no TransparencyLog at ${deployment.addresses.log}`, {
      exitCode: exitCode.usage,
      details: "The chain was reset or the deployment file belongs to another chain.",
    });
  }
  return { deployment, rpcUrl, chain, client };
}

export function shortCause(error: unknown): string {
  if (error instanceof Error) {
    const short = (error as { shortMessage?: string }).shortMessage;
    return short ?? error.message.split("\n")[0] ?? String(error);
  }
  return String(error);
}

export const ZERO32: Hex = `0x${"00".repeat(32)}`;
