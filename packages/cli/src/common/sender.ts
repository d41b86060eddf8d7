/**
 * Signs and sends transactions with an operator key over standard JSON-RPC. Two ways:
 * `write` for one action (estimates gas first, so that a refusal is reported with the contract's
 * own error before anything is sent, then waits for the receipt); and `submit` for imports, which
 * counts nonces itself and keeps several batches in flight without waiting, for throughput.
 *
 * `submit` signs at once and sends when every earlier submission has been sent, so the node gets
 * the transactions in nonce order while this process encodes and signs the next ones, rather than
 * between two sends. anvil takes no transaction while it executes a block, so there the signing
 * of a sender that signed only after each send returned left the node waiting. Measured back to
 * back with `bench:cli` (anvil mining every 0.5 s, 64 in flight): 5,946 and 4,424 rows/s before,
 * 6,148 and 5,762 after: a gain, but smaller than the machine's noise between runs.
 *
 * Signing is signRawTransaction's (on bytes: an import's batches are ~60 KB each, and viem's
 * serializer spent most of the import's CPU on them).
 *
 * Fees: EIP-1559 with a zero priority fee (consortium chains run at gas price 0, and a non-zero
 * tip only wastes on a dev chain), or a legacy gas price on a chain without a base fee.
 */

import { setTimeout as sleep } from "node:timers/promises";
import { charityLedgerAbi, registryAbi, transparencyLogAbi, volunteerCreditAbi } from "@shanji/core";
import {
  type Abi,
  type Account,
  type Address,
  decodeErrorResult,
  type Hex,
  TransactionNotFoundError,
  type TransactionReceipt,
  TransactionReceiptNotFoundError,
} from "viem";
import { CliError, exitCode } from "./cliError.ts";
import { type ChainConnection, shortCause } from "./deployment.ts";
import { signRawTransaction } from "./signRawTransaction.ts";

export type Sender = {
  address: Address;
  account: Account;
  /** Estimates, sends one transaction and waits for it; throws a CliError naming the contract's error. */
  write: (tx: { to: Address; data: Hex }) => Promise<TransactionReceipt>;
  /**
   * Signs now with the next nonce (`gas` is fixed by the caller) and sends after every earlier
   * submission: the promise is the hash once the node took it. If a send fails, later submissions
   * are not sent and their promises reject with the same error, so the node never sees a nonce gap.
   */
  submit: (tx: { to: Address; data: Hex; gas: bigint }) => Promise<Hex>;
  /**
   * Waits for a transaction given to submit: its receipt, asked for every 50 ms. A transaction whose
   * nonce the chain has used for another one (the same key sending from elsewhere) is reported as
   * replaced; one with no receipt after 5 minutes, as not mined.
   */
  wait: (hash: Hex) => Promise<TransactionReceipt>;
  /** Re-reads the nonce and fees (after a failure, or from time to time). */
  refresh: () => Promise<void>;
};

/** How often a receipt is asked for, and for how long. */
const POLL_MS = 50;
const WAIT_TIMEOUT_MS = 300_000;
/** How long a transaction's nonce must be used without its receipt before it counts as replaced. */
const REPLACED_AFTER_MS = 2_000;

const errorAbi = [...transparencyLogAbi, ...registryAbi, ...charityLedgerAbi, ...volunteerCreditAbi].filter(
  (item) => item.type === "error",
) as Abi;

/** Plain words for the refusals users meet most; the contract's own error follows in details. */
const EXPLANATIONS: Record<string, string> = {
  RegistryKeyNotOperator:
    "this key is not an operator key of any organisation (its organisation's admin adds it with `shanji org add-operator`)",
  RegistryOrgSuspended: "the organisation is suspended and cannot write",
  RegistryOrgKindNotAllowed: "organisations of this kind may not do this",
  RegistryNotGovernance:
    "only governance (the consortium's admin key or an operator of an active regulator) may do this",
  RegistryNotOrgAdmin: "only the organisation's admin key may do this",
  RegistryKeyTaken: "this key already belongs to an organisation (a key belongs to one organisation, ever)",
  RegistryCreditCodeTaken: "an organisation with this credit code is already accredited",
  RegistryCreditCodeCheckFailed:
    "the credit code's check character is wrong (a regulator may accredit it with --override-check)",
  CharityCampaignNotFound: "no such campaign",
  CharityCampaignNotOwned: "the campaign belongs to another organisation",
  CharityCampaignClosed: "the campaign is closed to donations",
  CharityBalanceInsufficient: "the campaign's available balance is too small for this disbursement",
  CharityRecordExists: "this organisation already recorded a record with this reference",
  CreditRecordExists: "this organisation already recorded a credit with this reference",
  CreditActivityNotFound: "no such activity",
  CreditActivityNotOwned: "the activity belongs to another organisation",
};

/** "CharityBalanceInsufficient(campaignId: 3, available: 100, requested: 250)", or undefined. */
export function decodeRevert(
  error: unknown,
): { name: string; text: string; explanation: string | undefined } | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 10; depth++) {
    const data = (e as { data?: unknown }).data;
    const raw = typeof data === "string" ? data : (data as { data?: unknown } | undefined)?.data;
    if (typeof raw === "string" && /^0x[0-9a-fA-F]{8}/.test(raw)) {
      try {
        const decoded = decodeErrorResult({ abi: errorAbi, data: raw as Hex });
        const item = (errorAbi as unknown as { type: string; name?: string; inputs?: { name: string }[] }[]).find(
          (x) => x.type === "error" && x.name === decoded.errorName,
        );
        const args = (decoded.args ?? []) as unknown[];
        const text = `${decoded.errorName}(${args.map((a, i) => `${item?.inputs?.[i]?.name ?? i}: ${String(a)}`).join(", ")})`;
        return { name: decoded.errorName, text, explanation: EXPLANATIONS[decoded.errorName] };
      } catch {
        return { name: "unknown", text: `unknown error ${raw.slice(0, 10)}`, explanation: undefined };
      }
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function refusal(what: string, error: unknown): CliError {
  const revert = decodeRevert(error);
  if (revert) {
    return new CliError(`${what}: the chain refused it: ${revert.explanation ?? revert.name}`, {
      exitCode: exitCode.refused,
      details: revert.text,
      data: { contractError: revert.name },
      cause: error,
    });
  }
  return new CliError(`${what}: ${shortCause(error)}`, { exitCode: exitCode.unavailable, cause: error });
}

export async function createSender(
  connection: Pick<ChainConnection, "client" | "chain">,
  account: Account & { sign: NonNullable<Account["sign"]> },
): Promise<Sender> {
  const { client, chain } = connection;
  let nonce = 0;
  let fees: { maxFeePerGas: bigint; maxPriorityFeePerGas: bigint } | { gasPrice: bigint } = { gasPrice: 0n };

  const refresh = async () => {
    const [n, block] = await Promise.all([
      client.getTransactionCount({ address: account.address, blockTag: "pending" }),
      client.getBlock({ blockTag: "latest" }),
    ]);
    nonce = n;
    if (block.baseFeePerGas === null || block.baseFeePerGas === undefined) {
      fees = { gasPrice: await client.getGasPrice() };
    } else {
      // Room for the base fee to rise while a few batches are in flight (only what is used is paid).
      fees = {
        maxFeePerGas: block.baseFeePerGas * 3n + 1_000_000_000n * (block.baseFeePerGas > 0n ? 1n : 0n),
        maxPriorityFeePerGas: 0n,
      };
    }
  };
  await refresh();

  const sign = (to: Address, data: Hex, gas: bigint, n: number) =>
    signRawTransaction({ account, chainId: chain.id, nonce: n, gas, to, data, fees });
  /** The last submission's send: the next one goes after it. */
  let sending: Promise<unknown> = Promise.resolve();

  /** The nonce of each transaction sent and not yet waited for. */
  const nonces = new Map<Hex, number>();
  const receiptOf = (hash: Hex) =>
    client.getTransactionReceipt({ hash }).catch((error: unknown) => {
      if (error instanceof TransactionReceiptNotFoundError) return undefined;
      throw error;
    });
  // Not viem's waitForTransactionReceipt: it downloads each transaction again, and to detect a
  // replacement it reads whole blocks with their transactions, which for a block holding a hundred
  // import batches (~100 KB each) exceeds the transport's 10 MB response limit and fails the import.
  const wait = async (hash: Hex) => {
    const nonce = nonces.get(hash);
    const deadline = performance.now() + WAIT_TIMEOUT_MS;
    let passedSince: number | undefined;
    try {
      for (;;) {
        const receipt = await receiptOf(hash);
        if (receipt) return receipt;
        if (nonce !== undefined && passedSince === undefined) {
          const used = await client.getTransactionCount({ address: account.address, blockTag: "latest" });
          if (used > nonce) passedSince = performance.now();
        }
        // Its nonce is used, by this transaction or by another. A node may count the nonce a moment
        // before it serves the receipt (anvil does), so only a nonce used for a while by a
        // transaction the node no longer knows means a replacement.
        if (passedSince !== undefined && performance.now() - passedSince > REPLACED_AFTER_MS) {
          const known = await client.getTransaction({ hash }).catch((error: unknown) => {
            if (error instanceof TransactionNotFoundError) return undefined;
            throw error;
          });
          if (!known) {
            throw new CliError(`transaction ${hash} was replaced: another transaction of this key took its nonce`, {
              exitCode: exitCode.unavailable,
              details: `nonce ${nonce}. Something else is sending with the same key; run the same command again when it has finished (what is recorded is skipped).`,
            });
          }
          passedSince = performance.now();
        }
        if (performance.now() > deadline) {
          throw new CliError(`no receipt for transaction ${hash} after ${WAIT_TIMEOUT_MS / 60_000} minutes`, {
            exitCode: exitCode.unavailable,
            details: "The node took it but has not mined it; run the same command again (what is recorded is skipped).",
          });
        }
        await sleep(POLL_MS);
      }
    } catch (error) {
      if (error instanceof CliError) throw error;
      throw new CliError(`no receipt for transaction ${hash}`, {
        exitCode: exitCode.unavailable,
        details: shortCause(error),
        cause: error,
      });
    } finally {
      nonces.delete(hash);
    }
  };

  return {
    address: account.address,
    account,
    refresh,
    wait,
    submit({ to, data, gas }) {
      const n = nonce;
      const signed = sign(to, data, gas, n);
      nonce += 1;
      const sent = Promise.all([signed, sending])
        .then(([serializedTransaction]) => client.sendRawTransaction({ serializedTransaction }))
        .then((hash) => {
          nonces.set(hash, n);
          return hash;
        });
      sending = sent;
      // The caller awaits `sent` in its own time (or never, after an earlier failure): not an unhandled rejection.
      sent.catch(() => {});
      return sent;
    },
    async write({ to, data }) {
      let gas: bigint;
      try {
        gas = await client.estimateGas({ account: account.address, to, data });
      } catch (error) {
        throw refusal("the transaction would fail", error);
      }
      await refresh();
      const hash = await client.sendRawTransaction({
        serializedTransaction: await sign(to, data, (gas * 12n) / 10n + 20_000n, nonce),
      });
      nonces.set(hash, nonce);
      nonce += 1;
      const receipt = await wait(hash);
      if (receipt.status !== "success") {
        // Replay it at the block before, to learn the contract's reason.
        try {
          await client.call({ account: account.address, to, data, blockNumber: receipt.blockNumber - 1n });
        } catch (error) {
          throw refusal(`transaction ${hash} reverted`, error);
        }
        throw new CliError(`transaction ${hash} reverted`, { exitCode: exitCode.refused });
      }
      return receipt;
    },
  };
}
