/**
 * What a command needs to act: the deployment checked against the chain, and for writes the
 * operator key, unlocked, with the organisation it belongs to.
 */
import { registryAbi } from "@shanji/core";
import { privateKeyToAccount } from "viem/accounts";
import { findKey, unlockKey } from "../keys/keystore.ts";
import { readPassphrase } from "../keys/readPassphrase.ts";
import { type ChainConnection, connectChain, readDeployment } from "./deployment.ts";
import type { GlobalOptions } from "./globalOptions.ts";
import { createSender, type Sender } from "./sender.ts";

export async function openChain(
  options: GlobalOptions,
  extra: { maxResponseBodySize?: number; batch?: boolean } = {},
): Promise<ChainConnection> {
  return connectChain(await readDeployment(options.deployment), options.rpc, extra);
}

export type SignerSession = ChainConnection & {
  sender: Sender;
  /** The organisation the key belongs to (0 for a key of none, e.g. governance's). */
  orgId: bigint;
  /** 1 admin, 2 operator, 3 retired, 0 none (IRegistry.KeyRole). */
  role: number;
};

export async function openSigner(
  options: GlobalOptions,
  extra: { passphraseEnv?: string | undefined; batch?: boolean } = {},
): Promise<SignerSession> {
  const connection = await openChain(options, extra.batch ? { batch: true } : {});
  const key = await findKey(options.keystoreDir, options.key);
  const passphrase = await readPassphrase({
    prompt: `Passphrase for key "${key.name}": `,
    envName: extra.passphraseEnv,
  });
  const account = privateKeyToAccount(await unlockKey(key, passphrase));
  const sender = await createSender(connection, account);
  const info = await connection.client.readContract({
    address: connection.deployment.addresses.registry,
    abi: registryAbi,
    functionName: "keyInfo",
    args: [account.address],
  });
  return { ...connection, sender, orgId: info.orgId, role: info.role };
}
