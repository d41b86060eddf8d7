/**
 * May this key act for this organisation? Yes when, as indexed, the organisation is accredited and
 * not suspended, and its latest operatorAdded/operatorRevoked entry for the key is an addition. The
 * answer comes from the organisation's registry entries in `entries` (kinds 10–14), not from the
 * `orgs` view: entries are committed with every indexed batch, while views are refreshed only once
 * the indexer has caught up, so the entries are never staler than the view and key and status are
 * read from one consistent state.
 *
 * The index may lag the chain by a poll interval (or more, while the indexer is down): a revocation
 * or suspension takes effect here once it is indexed. Given a chain client, the check also asks the
 * registry's `requireOperator` at the node's latest block and refuses what the chain refuses, so
 * that a revoked key stops at once; a key added on chain is accepted once indexed. When the node
 * does not answer, the index decides alone (and the failure is logged).
 *
 * Statuses: 401 when the key is not (or no longer) an operator of the organisation — the request
 * does not prove who it claims to come from; 403 when it does, but the organisation is suspended.
 */
import { entryKind, orgKind, registryAbi } from "@shanji/core";
import type { Queryable } from "@shanji/indexer";
import type { FastifyBaseLogger } from "fastify";
import { type Address, BaseError, ContractFunctionRevertedError, getAddress, type PublicClient } from "viem";
import { ApiError } from "../problem.ts";
import { unauthorized } from "./signedRequest.ts";

export type CheckOperatorParameters = {
  signer: Address;
  orgId: bigint;
  /** Where the request named the organisation (`querystring.org`, `headers.x-shanji-org`), for errors. */
  orgField: string;
  /** Where the signature is (for errors). */
  signatureField: string;
};
export type CheckOperatorReturnType = { orgId: bigint; orgKind: number };
export type OperatorCheck = (parameters: CheckOperatorParameters) => Promise<CheckOperatorReturnType>;

export type CreateOperatorCheckParameters = {
  store: Queryable;
  registry: Address;
  chain?: PublicClient | undefined;
  logger?: FastifyBaseLogger | undefined;
  /**
   * The signing domain as a 401 quotes it (describeEvidenceDomain): a signature made in another
   * domain — another deployment's, or the retired version 1 — recovers to a key that is no operator.
   */
  domain?: string | undefined;
};

/** requireOperator's allowedKinds with every organisation kind's bit set. */
const ALL_KINDS = Object.values(orgKind).reduce((mask, kind) => mask | (1n << BigInt(kind)), 0n);

type RegistryRow = { idx: bigint; kind: number; record: { orgKind?: number; reason?: number } };

export function createOperatorCheck({
  store,
  registry,
  chain,
  logger,
  domain,
}: CreateOperatorCheckParameters): OperatorCheck {
  const signedIn = domain ? `, and that it was signed in the domain ${domain}` : "";
  return async ({ signer, orgId, orgField, signatureField }) => {
    const key = getAddress(signer);
    // Partial index entries_registry_org (0003_api.sql): this organisation's registry entries only.
    const rows = await store.query<RegistryRow>(
      `select idx, kind, record from entries
        where kind between ${entryKind.orgAccredited} and ${entryKind.operatorRevoked} and record->>'orgId' = $1
          and (kind not in (${entryKind.operatorAdded}, ${entryKind.operatorRevoked}) or record->>'key' = $2)
        order by idx`,
      [orgId.toString(), key],
    );
    let kind: number | undefined;
    let suspension: number | null = null;
    let keyState: { added: boolean; idx: bigint } | undefined;
    for (const row of rows) {
      if (row.kind === entryKind.orgAccredited) kind = Number(row.record.orgKind);
      else if (row.kind === entryKind.orgSuspended) suspension = Number(row.record.reason);
      else if (row.kind === entryKind.orgReinstated) suspension = null;
      else keyState = { added: row.kind === entryKind.operatorAdded, idx: row.idx };
    }
    if (kind === undefined)
      throw unauthorized(
        `organisation ${orgId} is not accredited (as indexed), so key ${key} is not its operator`,
        orgField,
      );
    if (!keyState)
      throw unauthorized(
        `the signing key ${key} is not an operator key of organisation ${orgId} (as indexed); check the key, the organisation and what was signed${signedIn}`,
        signatureField,
      );
    if (!keyState.added)
      throw unauthorized(
        `the signing key ${key} was revoked from organisation ${orgId} (entry ${keyState.idx})`,
        signatureField,
      );
    if (suspension !== null) throw suspended(orgId, suspension, orgField);
    if (chain) await checkOnChain(chain, registry, key, orgId, { orgField, signatureField }, logger);
    return { orgId, orgKind: kind };
  };
}

function suspended(orgId: bigint, reason: number, field: string): ApiError {
  return new ApiError(
    403,
    `organisation ${orgId} is suspended (reason ${reason}): its operators' signed requests are refused`,
    { errors: [{ field, reason: `organisation ${orgId} is suspended` }] },
  );
}

async function checkOnChain(
  chain: PublicClient,
  registry: Address,
  key: Address,
  orgId: bigint,
  fields: { orgField: string; signatureField: string },
  logger: FastifyBaseLogger | undefined,
): Promise<void> {
  let onChainOrg: bigint;
  try {
    [onChainOrg] = await chain.readContract({
      address: registry,
      abi: registryAbi,
      functionName: "requireOperator",
      args: [key, ALL_KINDS],
    });
  } catch (error) {
    const reverted =
      error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
    if (reverted instanceof ContractFunctionRevertedError) {
      const name = reverted.data?.errorName;
      const args = reverted.data?.args ?? [];
      if (name === "RegistryKeyNotOperator")
        throw unauthorized(
          `the signing key ${key} is no longer an operator key on chain (revoked after the indexed block)`,
          fields.signatureField,
        );
      if (name === "RegistryOrgSuspended") throw suspended(orgId, Number(args[1] ?? 0), fields.orgField);
    }
    logger?.warn({ err: error }, "evidence: the chain did not answer requireOperator; the index decided alone");
    return;
  }
  if (onChainOrg !== orgId)
    throw unauthorized(
      `the signing key ${key} is an operator of organisation ${onChainOrg} on chain, not ${orgId}`,
      fields.signatureField,
    );
}
