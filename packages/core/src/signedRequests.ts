/**
 * The EIP-712 domain and types of the API's signed evidence requests, shared by the API that checks
 * them and the clients that sign them (the `shanji` command), so that the two cannot drift apart.
 * The domain names the deployment: its chain and its Registry contract, where operator keys are
 * checked. A signature made for one deployment's API does not verify at another's on the same
 * chain. Version 1 had no verifyingContract; its signatures no longer verify.
 */
import type { Address } from "viem";

export const EVIDENCE_DOMAIN_NAME = "Shanji API";
export const EVIDENCE_DOMAIN_VERSION = "2";

/** The EIP-712 domain of a deployment's signed requests: its chain and its Registry contract. */
export const evidenceDomain = (chainId: number, registry: Address) =>
  ({ name: EVIDENCE_DOMAIN_NAME, version: EVIDENCE_DOMAIN_VERSION, chainId, verifyingContract: registry }) as const;

export const evidenceTypes = {
  EvidenceUpload: [
    { name: "orgId", type: "uint64" },
    { name: "sha256", type: "bytes32" },
    { name: "contentType", type: "string" },
    { name: "restricted", type: "bool" },
    { name: "timestamp", type: "uint64" },
    { name: "nonce", type: "bytes32" },
  ],
  EvidenceRead: [
    { name: "orgId", type: "uint64" },
    { name: "sha256", type: "bytes32" },
    { name: "timestamp", type: "uint64" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;
