/**
 * Signed requests of the evidence routes, as the API contract defines them: three headers
 * (`X-Shanji-Timestamp`, `X-Shanji-Nonce`, `X-Shanji-Signature`) and an EIP-712 signature over the
 * request's meaning — which organisation, which file (its SHA-256), and for an upload its media type
 * and whether it is restricted — in the domain
 * { name: "Shanji API", version: "2", chainId, verifyingContract: <the deployment's Registry> }.
 * The Registry is where operator keys are checked, so it names the deployment: a signature made for
 * one deployment's API does not verify at another's on the same chain. Version 1 had no
 * verifyingContract; its signatures no longer verify.
 *
 * This module checks what the request alone can prove: the timestamp is within ±300 s of the
 * server's clock, and the signature recovers to a key. Whether that key may act for the organisation
 * is checkOperator's question; whether the nonce was used before is the nonce ledger's.
 */

import { EVIDENCE_DOMAIN_NAME, EVIDENCE_DOMAIN_VERSION, evidenceDomain, evidenceTypes } from "@shanji/core";
import { Type } from "typebox";
import { type Address, getAddress, type Hex, recoverTypedDataAddress } from "viem";
import { ApiError } from "../problem.ts";

// The domain and types live in @shanji/core, shared with the clients that sign.
export { EVIDENCE_DOMAIN_NAME, EVIDENCE_DOMAIN_VERSION, evidenceDomain, evidenceTypes };

/** How far a request's timestamp may be from the server's clock, either way, in seconds. */
export const MAX_CLOCK_SKEW_SECONDS = 300;

/** The domain as a 401 quotes it, so that a client signing in another one sees which to use. */
export const describeEvidenceDomain = (chainId: number, registry: Address) =>
  `{ name: "${EVIDENCE_DOMAIN_NAME}", version: "${EVIDENCE_DOMAIN_VERSION}", chainId: ${chainId}, verifyingContract: ${getAddress(registry)} }`;

export type EvidenceUploadMessage = {
  orgId: bigint;
  sha256: Hex;
  contentType: string;
  restricted: boolean;
  timestamp: bigint;
  nonce: Hex;
};
export type EvidenceReadMessage = { orgId: bigint; sha256: Hex; timestamp: bigint; nonce: Hex };

/** Header names, lower case as Node gives them. */
export const SIGNED_HEADERS = {
  timestamp: "x-shanji-timestamp",
  nonce: "x-shanji-nonce",
  signature: "x-shanji-signature",
  org: "x-shanji-org",
} as const;

/** Header schemas: a malformed or missing header is a 400 that names it. */
export const signedHeaderSchemas = {
  [SIGNED_HEADERS.timestamp]: Type.String({
    pattern: "^(0|[1-9][0-9]{0,19})$",
    description: "Unix seconds when the request was signed; within ±300 s of the server's clock.",
  }),
  [SIGNED_HEADERS.nonce]: Type.String({
    pattern: "^0x[0-9a-fA-F]{64}$",
    description: "32 random bytes, 0x-hex, never used before in a signed request.",
  }),
  [SIGNED_HEADERS.signature]: Type.String({
    pattern: "^0x[0-9a-fA-F]{130}$",
    description: "The 65-byte EIP-712 signature (r ‖ s ‖ v), 0x-hex, by an operator key of the organisation.",
  }),
} as const;

export const orgHeaderSchema = Type.String({
  pattern: "^(0|[1-9][0-9]{0,19})$",
  description: "The organisation (a regulator) whose operator signs a read of a restricted file.",
});

/** A 401 with the challenge RFC 9110 asks for. */
export function unauthorized(detail: string, field?: string): ApiError {
  return new ApiError(401, detail, {
    headers: { "www-authenticate": 'Shanji-EIP712 realm="shanji", charset="UTF-8"' },
    ...(field ? { errors: [{ field, reason: detail }] } : {}),
  });
}

/** 401 unless `timestamp` (unix seconds) is within ±MAX_CLOCK_SKEW_SECONDS of `now` (unix seconds). */
export function checkTimestamp(timestamp: bigint, now: number): void {
  const skew = timestamp - BigInt(Math.floor(now));
  if (skew < -BigInt(MAX_CLOCK_SKEW_SECONDS))
    throw unauthorized(
      `the signed request expired: its timestamp is ${-skew} s before the server's clock (at most ${MAX_CLOCK_SKEW_SECONDS} s); sign it again`,
      `headers.${SIGNED_HEADERS.timestamp}`,
    );
  if (skew > BigInt(MAX_CLOCK_SKEW_SECONDS))
    throw unauthorized(
      `the signed request's timestamp is ${skew} s after the server's clock (at most ${MAX_CLOCK_SKEW_SECONDS} s); check the signer's clock`,
      `headers.${SIGNED_HEADERS.timestamp}`,
    );
}

export type RecoverEvidenceSignerParameters = {
  chainId: number;
  /** The deployment's Registry: the domain's verifyingContract. */
  registry: Address;
  signature: Hex;
} & (
  | { primaryType: "EvidenceUpload"; message: EvidenceUploadMessage }
  | { primaryType: "EvidenceRead"; message: EvidenceReadMessage }
);

/** The key that signed the request (any signature recovers to some key: checkOperator says if it may). */
export async function recoverEvidenceSigner(parameters: RecoverEvidenceSignerParameters): Promise<Address> {
  const { chainId, registry, signature } = parameters;
  const domain = evidenceDomain(chainId, registry);
  try {
    return parameters.primaryType === "EvidenceUpload"
      ? await recoverTypedDataAddress({
          domain,
          types: { EvidenceUpload: evidenceTypes.EvidenceUpload },
          primaryType: "EvidenceUpload",
          message: parameters.message,
          signature,
        })
      : await recoverTypedDataAddress({
          domain,
          types: { EvidenceRead: evidenceTypes.EvidenceRead },
          primaryType: "EvidenceRead",
          message: parameters.message,
          signature,
        });
  } catch {
    throw unauthorized(
      "the signature does not recover to any key (r, s or v is out of range)",
      `headers.${SIGNED_HEADERS.signature}`,
    );
  }
}
