/**
 * For the domain routes' tests: writes records on an API fixture's chain with the demo's accounts
 * (organisation i has admin account 2i-1 and operator 2i, see scripts/demo/recordDemo.ts), and
 * sets the chain's clock, so a test can create the conditions it checks (an overdue disclosure, a
 * management-cost breach, a grant of a grant).
 */
import { randomBytes } from "node:crypto";
import { bytesToHex, createTestClient, type Hex, http, parseEventLogs, sha256, stringToHex, toHex } from "viem";
import { connectDemoSystem } from "../../../../../scripts/demo/connectDemoSystem.ts";
import type { ApiFixture } from "../../_test/apiFixture.ts";

/** The demo's organisations (recordDemo's ORGS order). */
export const DEMO_ORG = {
  bureau: 1n,
  foundation: 2n,
  communityA: 3n,
  communityB: 4n,
  enterprise: 5n,
  volunteers: 6n,
  merchant: 7n,
  auditor: 8n,
} as const;

const ZERO32 = `0x${"00".repeat(32)}` as Hex;
const CNY = stringToHex("CNY", { size: 3 });

export const randomHash = (): Hex => bytesToHex(randomBytes(32));

export type LedgerWriter = Awaited<ReturnType<typeof ledgerWriter>>;

export async function ledgerWriter(f: ApiFixture) {
  const system = await connectDemoSystem(f.deployment, f.rpcUrl);
  const testClient = createTestClient({ mode: "anvil", transport: http(f.rpcUrl) });
  const operator = (orgId: bigint) => {
    const wallet = system.wallets[Number(orgId) * 2];
    if (!wallet) throw new Error(`no operator account for organisation ${orgId}`);
    return { account: wallet.account };
  };
  /** Sends, waits, and returns the log indexes of the entries it appended. */
  const send = async (hash: Promise<Hex>): Promise<bigint[]> => {
    const receipt = await system.publicClient.waitForTransactionReceipt({ hash: await hash });
    if (receipt.status !== "success") throw new Error("transaction reverted");
    return parseEventLogs({ abi: system.log.abi, logs: receipt.logs, eventName: "EntryAppended" }).map(
      (e) => e.args.index,
    );
  };
  const leafOf = async (index: bigint): Promise<Hex> => {
    const [row] = await f.store.query<{ leaf: Uint8Array }>("select leaf from entries where idx = $1", [index]);
    if (!row) throw new Error(`entry ${index} is not indexed`);
    return bytesToHex(row.leaf);
  };
  let refs = 0;
  const ref = (prefix: string): Hex => stringToHex(`${prefix}-test-${++refs}-${Date.now()}`, { size: 32 });

  return {
    system,
    /** The timestamp of the chain's latest block. */
    async now(): Promise<bigint> {
      return (await system.publicClient.getBlock()).timestamp;
    },
    /** The next block gets this timestamp (unix seconds). */
    async setNextTime(seconds: bigint) {
      await testClient.setNextBlockTimestamp({ timestamp: seconds });
    },
    async openCampaign(orgId: bigint, p: { startTime: bigint; endTime: bigint; tags?: Hex[] }): Promise<bigint> {
      await send(
        system.charity.write.openCampaign(
          [
            {
              currency: CNY,
              target: 0n,
              startTime: p.startTime,
              endTime: p.endTime,
              filingNumber: ZERO32,
              descriptionHash: randomHash(),
              purposeTags: p.tags ?? [],
            },
          ],
          operator(orgId),
        ),
      );
      return system.charity.read.campaignCount();
    },
    /** A donation from a receipt holder; returns its index and the receipt code. */
    async donate(orgId: bigint, campaignId: bigint, amount: bigint): Promise<{ index: bigint; code: Hex; ref: Hex }> {
      const code = randomHash();
      const externalRef = ref("DON");
      const [index] = await send(
        system.charity.write.recordDonation(
          [
            campaignId,
            {
              externalRef,
              donorKind: 0,
              donor: sha256(code),
              amount,
              channel: 1,
              purposeTag: ZERO32,
              inKindHash: ZERO32,
              claimId: 0n,
            },
          ],
          operator(orgId),
        ),
      );
      if (index === undefined) throw new Error("no entry");
      return { index, code, ref: externalRef };
    },
    async disburse(
      orgId: bigint,
      campaignId: bigint,
      p: { amount: bigint; category: 1 | 2 | 3; evidence?: Hex[]; grantTo?: { orgId: bigint; campaignId: bigint } },
    ): Promise<{ index: bigint; ref: Hex; evidence: Hex[] }> {
      const externalRef = ref("PAY");
      const evidence = p.evidence ?? [randomHash()];
      const [index] = await send(
        system.charity.write.recordDisbursement(
          [
            campaignId,
            {
              externalRef,
              category: p.category,
              amount: p.amount,
              payeeKind: p.grantTo ? 1 : 0,
              payee: p.grantTo ? toHex(p.grantTo.orgId, { size: 32 }) : randomHash(),
              payeeCampaignId: p.grantTo?.campaignId ?? 0n,
              purposeTag: ZERO32,
              evidence,
            },
          ],
          operator(orgId),
        ),
      );
      if (index === undefined) throw new Error("no entry");
      return { index, ref: externalRef, evidence };
    },
    /** Reverses a record of `orgId` (its entry must be indexed: the contract checks its leaf). */
    async reverse(orgId: bigint, externalRef: Hex, index: bigint, reason = 1): Promise<bigint> {
      const [at] = await send(
        system.charity.write.reverseRecord([externalRef, reason, await leafOf(index)], operator(orgId)),
      );
      if (at === undefined) throw new Error("no entry");
      return at;
    },
    async disclose(orgId: bigint, campaignId: bigint, kind: number, period: [bigint, bigint]): Promise<bigint> {
      const [index] = await send(
        system.charity.write.publishDisclosure([campaignId, kind, randomHash(), period[0], period[1]], operator(orgId)),
      );
      if (index === undefined) throw new Error("no entry");
      return index;
    },
    async closeCampaign(orgId: bigint, campaignId: bigint): Promise<bigint> {
      const [index] = await send(system.charity.write.closeCampaign([campaignId], operator(orgId)));
      if (index === undefined) throw new Error("no entry");
      return index;
    },
  };
}
