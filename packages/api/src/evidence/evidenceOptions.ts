/**
 * Settings of evidence files and signed requests, as createApp takes them (`evidence: {...}`), and
 * their defaults: the contract's 10 MiB and allow-list of media types. createApp decorates the app
 * with the resolved settings as `evidenceSettings`, which routes/evidence.ts reads.
 */
import { join } from "node:path";
import type { PublicClient } from "viem";

export type EvidenceOptions = {
  /** Largest file accepted, in bytes (default 10 MiB). Larger uploads get 413. */
  maxBytes?: number;
  /** Media types accepted, lower case, without parameters (default: DEFAULT_CONTENT_TYPES). Others get 415. */
  contentTypes?: readonly string[];
  /**
   * A client of a chain node: when given, a signer the index accepts must also pass the registry's
   * `requireOperator` at the node's latest block, so that a revoked key or a suspended organisation
   * is refused as soon as the chain says so rather than once the indexer has caught up. Without it
   * (or while the node does not answer) the index decides alone.
   */
  chain?: PublicClient;
};

export type EvidenceSettings = {
  /** `<dataDir>/evidence`: the files and their metadata. */
  dir: string;
  maxBytes: number;
  contentTypes: ReadonlySet<string>;
  chain: PublicClient | undefined;
};

/** The media types of the API contract: documents, photos, and data files. */
export const DEFAULT_CONTENT_TYPES = [
  "application/pdf",
  "image/jpeg",
  "image/png",
  "image/webp",
  "text/plain",
  "text/csv",
  "application/json",
] as const;

export const DEFAULT_MAX_BYTES = 10 * 1024 * 1024;

declare module "fastify" {
  interface FastifyInstance {
    evidenceSettings: EvidenceSettings;
  }
}

export function resolveEvidenceOptions(dataDir: string, options: EvidenceOptions = {}): EvidenceSettings {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)
    throw new Error(`evidence.maxBytes must be a positive integer, not ${maxBytes}`);
  return {
    dir: join(dataDir, "evidence"),
    maxBytes,
    contentTypes: new Set((options.contentTypes ?? DEFAULT_CONTENT_TYPES).map((t) => t.toLowerCase())),
    chain: options.chain,
  };
}
