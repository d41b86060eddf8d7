/**
 * Uploads an evidence file to the API's evidence store, signed by the operator key as the API
 * contract says: POST /v1/evidence?org=&restricted= with the raw bytes and an EIP-712
 * "EvidenceUpload" signature over the organisation, the file's SHA-256, its type, the restricted
 * flag, a timestamp and a fresh nonce, in the domain { name: "Shanji API", version: "2", chainId,
 * verifyingContract: the deployment's Registry }: the Registry names the deployment, so the signature
 * is good at this deployment's API only.
 */
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { evidenceDomain, evidenceTypes } from "@shanji/core";
import type { Account, Address, Hex } from "viem";
import { CliError, exitCode } from "../common/cliError.ts";
import type { EvidenceFile } from "./evidenceFile.ts";

export type UploadEvidenceParameters = {
  api: string;
  chainId: number;
  /** The deployment's Registry: the signing domain's verifyingContract. */
  registry: Address;
  orgId: bigint;
  account: Account & { signTypedData: NonNullable<Account["signTypedData"]> };
  file: EvidenceFile;
  restricted: boolean;
};

export async function uploadEvidence({
  api,
  chainId,
  registry,
  orgId,
  account,
  file,
  restricted,
}: UploadEvidenceParameters): Promise<{ status: number }> {
  const body = await readFile(file.path);
  const timestamp = BigInt(Math.floor(Date.now() / 1000));
  const nonce = `0x${randomBytes(32).toString("hex")}` as Hex;
  const signature = await account.signTypedData({
    domain: evidenceDomain(chainId, registry),
    types: { EvidenceUpload: evidenceTypes.EvidenceUpload },
    primaryType: "EvidenceUpload",
    message: { orgId, sha256: file.sha256, contentType: file.contentType, restricted, timestamp, nonce },
  });
  const url = `${api}/v1/evidence?org=${orgId}&restricted=${restricted}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": file.contentType,
        "x-shanji-timestamp": String(timestamp),
        "x-shanji-nonce": nonce,
        "x-shanji-signature": signature,
      },
      body,
      signal: AbortSignal.timeout(120_000),
    });
  } catch (error) {
    throw new CliError(`cannot upload evidence to the API at ${api}`, {
      exitCode: exitCode.unavailable,
      details: `${error instanceof Error ? error.message : String(error)}\nName the API with --api URL (SHANJI_API_URL), or record hashes only with --no-upload.`,
      cause: error,
    });
  }
  const text = await response.text();
  if (response.status !== 200 && response.status !== 201) {
    let detail = text.slice(0, 500);
    try {
      const problem = JSON.parse(text) as { title?: string; detail?: string };
      detail = [problem.title, problem.detail].filter(Boolean).join(": ");
    } catch {}
    throw new CliError(`the API refused the evidence file ${file.path} (HTTP ${response.status})`, {
      exitCode: response.status >= 500 ? exitCode.unavailable : exitCode.refused,
      details: detail,
    });
  }
  const stored = JSON.parse(text) as { sha256?: string };
  if (stored.sha256?.toLowerCase() !== file.sha256) {
    throw new CliError(`the API stored ${file.path} under ${stored.sha256}, not its SHA-256 ${file.sha256}`, {
      exitCode: exitCode.unavailable,
    });
  }
  return { status: response.status };
}
