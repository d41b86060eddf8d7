/**
 * Clients on a node's unlocked accounts (anvil's) and the deployed contracts, in the shape
 * recordDemo takes: used by `npm start` and by the API's tests.
 */
import { charityLedgerAbi, registryAbi, transparencyLogAbi, volunteerCreditAbi } from "@shanji/core";
import { createPublicClient, createWalletClient, defineChain, getContract, http } from "viem";
import type { Deployment } from "../../packages/indexer/src/runIndexer.ts";
import type { DemoSystem } from "./recordDemo.ts";

/** Clients on the chain's unlocked accounts and the contracts' addresses, as recordDemo takes them. */
export async function connectDemoSystem(deployment: Deployment, url: string) {
  const chain = defineChain({
    id: deployment.chainId,
    name: "Shanji local chain (anvil)",
    nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
    rpcUrls: { default: { http: [url] } },
  });
  const transport = http(url, { timeout: 60_000 });
  const publicClient = createPublicClient({ chain, transport, pollingInterval: 50 });
  const accounts = await createWalletClient({ chain, transport }).getAddresses();
  const wallets = accounts.map((account) => createWalletClient({ account, chain, transport, pollingInterval: 50 }));
  const wallet = wallets[0];
  if (!wallet) throw new Error("the chain has no unlocked account");
  const client = { public: publicClient, wallet };
  const { log, registry, charityLedger, volunteerCredit } = deployment.addresses;
  return {
    publicClient,
    wallets,
    log: getContract({ address: log, abi: transparencyLogAbi, client }),
    registry: getContract({ address: registry, abi: registryAbi, client }),
    charity: getContract({ address: charityLedger, abi: charityLedgerAbi, client }),
    credit: getContract({ address: volunteerCredit, abi: volunteerCreditAbi, client }),
  } satisfies DemoSystem;
}
