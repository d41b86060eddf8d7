/**
 * Deploys the whole Shanji system with the Ignition module `ignition/modules/Shanji.ts` to any node
 * reachable over standard JSON-RPC, without the Hardhat runtime, and returns what the indexer needs:
 * the chain id, the block of the TransparencyLog's deployment and the four addresses.
 *
 * Why not `hardhat ignition deploy` or `connection.ignition.deploy`: Hardhat keeps Ignition's journal
 * in `ignition/deployments/<deployment id>` inside the repository, shared by every chain with the
 * same id, so a local chain that is reset leaves a stale journal behind and two data folders would
 * fight over one journal. Ignition's own engine (`deploy` of @nomicfoundation/ignition-core, which
 * the Hardhat plugin calls) takes the journal folder as a parameter: here it lives next to the data
 * it describes, and the caller decides when it is stale. The module, its order (TransparencyLog →
 * Registry → CharityLedger → VolunteerCredit → setWriter ×3) and its governance wiring are the very
 * same as with the Hardhat task.
 *
 * The sender is the node's first account (`eth_accounts`), as with the Hardhat task: a node that
 * holds the deployer's key (anvil, a Besu node with an unlocked account, a signing proxy).
 */
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type Artifact,
  type ArtifactResolver,
  type BuildInfo,
  DeploymentResultType,
  deploy,
  type EIP1193Provider,
  listTransactions,
} from "@nomicfoundation/ignition-core";
import type { Hex } from "viem";
import ShanjiModule from "../../ignition/modules/Shanji.ts";
import type { Deployment } from "../../packages/indexer/src/runIndexer.ts";

export type DeploySystemParameters = {
  rpcUrl: string;
  /**
   * Ignition's deployment folder (journal, deployed addresses). A second call with the same folder
   * resumes or reuses that deployment, as Ignition does; remove it to deploy anew.
   */
  deploymentDir: string;
  /** The module's parameters (governance, governanceDelay, orgAdminTransferDelay); defaults as in the module. */
  parameters?: { governance?: Hex; governanceDelay?: number; orgAdminTransferDelay?: number };
  /** Default: the Hardhat artifacts of this repository (`hardhat build` writes them). */
  artifactsDir?: string;
  /** Blocks to wait for each transaction (default 1: anvil's automine, QBFT's instant finality). */
  requiredConfirmations?: number;
};

/** The shape `npm start` writes to `<data folder>/deployment.json` and the indexer reads. */
export type DeploySystemReturnType = Deployment;

const REPOSITORY = fileURLToPath(new URL("../..", import.meta.url));

export async function deploySystem(parameters: DeploySystemParameters): Promise<DeploySystemReturnType> {
  const { rpcUrl, deploymentDir, requiredConfirmations = 1 } = parameters;
  const artifactsDir = parameters.artifactsDir ?? join(REPOSITORY, "artifacts");
  const provider = createProvider(rpcUrl);
  const artifactResolver = createArtifactResolver(artifactsDir);
  const accounts = (await provider.request({ method: "eth_accounts" })) as string[];
  if (accounts.length === 0) throw new Error(`deploySystem: the node at ${rpcUrl} holds no account to deploy from`);

  const result = await deploy({
    config: { requiredConfirmations },
    provider,
    artifactResolver,
    deploymentDir,
    ignitionModule: ShanjiModule,
    deploymentParameters: parameters.parameters ? { Shanji: parameters.parameters } : {},
    accounts,
  });
  if (result.type !== DeploymentResultType.SUCCESSFUL_DEPLOYMENT) {
    throw new Error(`deploySystem: the Ignition deployment failed (${result.type}): ${JSON.stringify(result)}`);
  }
  const address = (futureId: string): Hex => {
    const contract = result.contracts[`Shanji#${futureId}`];
    if (!contract) throw new Error(`deploySystem: the deployment has no contract ${futureId}`);
    return contract.address as Hex;
  };
  const addresses = {
    log: address("TransparencyLog"),
    registry: address("Registry"),
    charityLedger: address("CharityLedger"),
    volunteerCredit: address("VolunteerCredit"),
  };

  // The journal knows the transaction that created the log; its receipt knows the block.
  const transactions = await listTransactions(deploymentDir, artifactResolver);
  const creation = transactions.find((t) => t.address?.toLowerCase() === addresses.log.toLowerCase());
  if (!creation) throw new Error("deploySystem: the journal has no transaction that created the TransparencyLog");
  const receipt = (await provider.request({
    method: "eth_getTransactionReceipt",
    params: [creation.txHash],
  })) as { blockNumber: Hex } | null;
  if (!receipt) throw new Error(`deploySystem: no receipt for the TransparencyLog's creation ${creation.txHash}`);
  const chainId = Number(await provider.request({ method: "eth_chainId" }));
  return { chainId, deployBlock: BigInt(receipt.blockNumber).toString(), addresses };
}

/** A minimal EIP-1193 provider over HTTP JSON-RPC; errors carry the node's `code` and `data`. */
function createProvider(rpcUrl: string): EIP1193Provider {
  let id = 0;
  return {
    async request({ method, params }) {
      const response = await fetch(rpcUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: ++id, method, params: params ?? [] }),
        signal: AbortSignal.timeout(60_000),
      });
      if (!response.ok) throw new Error(`${method}: HTTP ${response.status} from ${rpcUrl}`);
      const body = (await response.json()) as {
        result?: unknown;
        error?: { code: number; message: string; data?: unknown };
      };
      if (body.error) {
        // Ignition reads `data` (revert data) and the message ("execution reverted") of a failed call.
        throw Object.assign(new Error(body.error.message), { code: body.error.code, data: body.error.data });
      }
      return body.result;
    },
  };
}

/** Hardhat 3's artifact layout: `contracts/<Name>.sol/<Name>.json`, build infos by id in `build-info/`. */
function createArtifactResolver(artifactsDir: string): ArtifactResolver {
  const loadArtifact = async (contractName: string): Promise<Artifact> => {
    const path = join(artifactsDir, "contracts", `${contractName}.sol`, `${contractName}.json`);
    try {
      return JSON.parse(await readFile(path, "utf8")) as Artifact;
    } catch (cause) {
      throw new Error(`deploySystem: no artifact for ${contractName} at ${path} (run \`npx hardhat build\`)`, {
        cause,
      });
    }
  };
  return {
    loadArtifact,
    async getBuildInfo(contractName: string): Promise<BuildInfo | undefined> {
      const { buildInfoId } = await loadArtifact(contractName);
      if (buildInfoId === undefined) return undefined;
      return JSON.parse(await readFile(join(artifactsDir, "build-info", `${buildInfoId}.json`), "utf8")) as BuildInfo;
    },
  };
}
