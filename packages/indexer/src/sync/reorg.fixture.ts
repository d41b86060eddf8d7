// The chain side of reorg.test.ts: donations mined one transaction per block on anvil, so that a
// test knows exactly which blocks and transactions a reorg orphans.
import { createHash } from "node:crypto";
import { charityLedgerAbi, donorKind } from "@shanji/core";
import { createWalletClient, type Hex, http, stringToHex } from "viem";
import { anvilAccount, type DeployOnAnvilReturnType } from "../_test/chainFixture.ts";

/** The charity's operator in fillLedger: the account allowed to record its donations. */
const CHARITY_OPERATOR = 2;
const ZERO32: Hex = `0x${"00".repeat(32)}`;

export type MineDonationBlocksParameters = {
  url: string;
  deployment: DeployOnAnvilReturnType;
  /** An open campaign of the charity that fillLedger accredited. */
  campaignId: bigint;
  /** Blocks to mine; each holds one recordDonations transaction of `perBlock` donations. */
  blocks: number;
  perBlock?: number;
  /** Makes references and amounts unique to this branch of the chain. */
  label: string;
};

export type MinedBlock = { number: bigint; hash: Hex; transactionHash: Hex };

/** Mines `blocks` consecutive blocks of donations (anvil must be automining) and returns them. */
export async function mineDonationBlocks(parameters: MineDonationBlocksParameters): Promise<MinedBlock[]> {
  const { url, deployment, campaignId, blocks, perBlock = 3, label } = parameters;
  const wallet = createWalletClient({
    account: anvilAccount(CHARITY_OPERATOR),
    chain: deployment.chain,
    transport: http(url),
  });
  const mined: MinedBlock[] = [];
  for (let b = 0; b < blocks; b++) {
    const donations = Array.from({ length: perBlock }, (_, i) => {
      const seed = digest(`${label}:${b}:${i}`);
      return {
        externalRef: stringToHex(`R-${label}-${b}-${i}`, { size: 32 }),
        donorKind: donorKind.receipt,
        donor: seed,
        amount: (BigInt(seed.slice(0, 10)) % 100_000n) + 100n, // 1 fen .. 1,000 yuan, by label
        channel: 0,
        purposeTag: ZERO32,
        inKindHash: ZERO32,
        claimId: 0n,
      };
    });
    const hash = await wallet.writeContract({
      address: deployment.addresses.charityLedger,
      abi: charityLedgerAbi,
      functionName: "recordDonations",
      args: [campaignId, donations],
    });
    const receipt = await deployment.publicClient.waitForTransactionReceipt({ hash, pollingInterval: 20 });
    if (receipt.status !== "success") throw new Error(`mineDonationBlocks: ${hash} reverted`);
    const previous = mined.at(-1);
    if (previous && receipt.blockNumber !== previous.number + 1n) {
      throw new Error("mineDonationBlocks: anvil must mine one block per transaction (automine on)");
    }
    mined.push({ number: receipt.blockNumber, hash: receipt.blockHash, transactionHash: hash });
  }
  return mined;
}

function digest(text: string): Hex {
  return `0x${createHash("sha256").update(text).digest("hex")}`;
}
