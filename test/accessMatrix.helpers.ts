// Helpers shared by test/accessMatrix.test.ts and test/Registry.test.ts: revert assertions that
// decode errors against every Shanji ABI (a module's call to the registry bubbles up registry
// errors that the module's own ABI does not declare), and funded throwaway keys (the chain has
// only 20 accounts and registry keys are single-use).
import {
  type Abi,
  type Address,
  BaseError,
  ContractFunctionRevertedError,
  decodeErrorResult,
  getAddress,
  type Hash,
  type Hex,
  isAddress,
  isHex,
  keccak256,
  parseEther,
  stringToHex,
} from "viem";
import { generatePrivateKey, type PrivateKeyAccount, privateKeyToAccount } from "viem/accounts";
import { expect } from "vitest";
import type { System } from "./_fixture/deploySystem.ts";

/** Every custom error that any Shanji contract can revert with (OpenZeppelin's included). */
type AbiError = Extract<Abi[number], { type: "error" }>;

export function systemErrorsAbi(system: System): Abi {
  const seen = new Set<string>();
  const errors: AbiError[] = [];
  for (const item of [...system.log.abi, ...system.registry.abi, ...system.charity.abi, ...system.credit.abi]) {
    if (item.type !== "error") continue;
    const signature = `${item.name}(${item.inputs.map((input) => input.type).join(",")})`;
    if (seen.has(signature)) continue;
    seen.add(signature);
    errors.push(item as AbiError);
  }
  return errors;
}

/** The revert data carried by a viem error, wherever in its cause chain the client put it. */
function revertData(error: unknown): Hex | undefined {
  if (!(error instanceof BaseError)) return undefined;
  const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError);
  if (reverted instanceof ContractFunctionRevertedError && reverted.raw !== undefined) return reverted.raw;
  const withData = error.walk((e) => {
    const data = (e as { data?: unknown }).data;
    return typeof data === "string" && isHex(data) && data.length >= 10;
  });
  const data = (withData as { data?: unknown } | null)?.data;
  return typeof data === "string" && isHex(data) ? data : undefined;
}

/** Addresses compare case-insensitively; everything else as is. */
function normalise(values: readonly unknown[]): unknown[] {
  return values.map((value) => (typeof value === "string" && isAddress(value) ? getAddress(value) : value));
}

export interface DecodedRevert {
  errorName: string;
  args: readonly unknown[];
}

/** Awaits `promise`, which must revert; returns the decoded custom error. */
export async function catchRevert(promise: Promise<unknown>, abi: Abi): Promise<DecodedRevert> {
  try {
    await promise;
  } catch (error) {
    const data = revertData(error);
    if (data === undefined) throw error;
    const decoded = decodeErrorResult({ abi, data });
    return { errorName: decoded.errorName, args: decoded.args ?? [] };
  }
  throw new Error("expected the call to revert, but it succeeded");
}

/**
 * Asserts that `promise` (a contract write or read) reverts with custom error `errorName`, and,
 * when `args` is given, with exactly those arguments.
 */
export async function expectRevert(
  promise: Promise<unknown>,
  abi: Abi,
  errorName: string,
  args?: readonly unknown[],
): Promise<void> {
  const decoded = await catchRevert(promise, abi);
  expect(decoded.errorName).toBe(errorName);
  if (args !== undefined) expect(normalise(decoded.args)).toEqual(normalise(args));
}

/** Waits for the transaction and asserts that it succeeded. */
export async function expectSuccess(system: System, hash: Hash | Promise<Hash>): Promise<void> {
  const receipt = await system.publicClient.waitForTransactionReceipt({ hash: await hash });
  expect(receipt.status).toBe("success");
}

/** A new key with enough ether to send transactions; never seen by the chain before. */
export async function fundedKey(system: System): Promise<PrivateKeyAccount> {
  const account = privateKeyToAccount(generatePrivateKey());
  await system.networkHelpers.setBalance(account.address, parseEther("100"));
  return account;
}

/** A new address nobody holds the key of (as an argument only: it never signs). */
export function freshAddress(): Address {
  return privateKeyToAccount(generatePrivateKey()).address;
}

let hashCounter = 0;
/** A distinct non-zero bytes32 (external references, report hashes, pseudonyms). */
export function freshBytes32(label = "value"): Hex {
  hashCounter += 1;
  return keccak256(stringToHex(`${label}-${hashCounter}`));
}
