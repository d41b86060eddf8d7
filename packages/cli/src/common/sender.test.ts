// The import's sender against a real anvil: submissions are signed at once and reach the node in
// nonce order, a send the node refuses stops every later one (no nonce gap on the node), and
// waiting asks only for receipts and the key's nonce, and tells a replaced transaction.
import { setTimeout as sleep } from "node:timers/promises";
import { createPublicClient, createWalletClient, type Hex, http, parseGwei } from "viem";
import { anvil as anvilChain } from "viem/chains";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startAnvil } from "../../../../scripts/lib/anvil.ts";
import { anvilAccount } from "../../../indexer/src/_test/chainFixture.ts";
import { createSender } from "./sender.ts";

describe("createSender().submit", () => {
  let chain: Awaited<ReturnType<typeof startAnvil>>;
  let client: ReturnType<typeof createPublicClient<ReturnType<typeof http>, typeof anvilChain>>;
  beforeAll(async () => {
    chain = await startAnvil({ silent: true, args: ["--gas-limit", "30000000"] });
    client = createPublicClient({ chain: anvilChain, transport: http(chain.url) });
  });
  afterAll(async () => {
    await chain?.stop();
  });

  const to = "0x000000000000000000000000000000000000dEaD";

  test("behavior: submissions are mined in the order given, each with the next nonce", async () => {
    const account = anvilAccount(5);
    const sender = await createSender({ client, chain: anvilChain }, account);
    const first = await client.getTransactionCount({ address: account.address });
    // Submitted without waiting: all ten are signed before the first send has returned.
    const hashes = Array.from({ length: 10 }, (_, i) =>
      sender.submit({ to, data: `0x${i.toString(16).padStart(2, "0")}` as Hex, gas: 30_000n }),
    );
    const receipts = [];
    for (const hash of hashes) receipts.push(await sender.wait(await hash));
    for (const [i, receipt] of receipts.entries()) {
      expect(receipt.status).toBe("success");
      const tx = await client.getTransaction({ hash: receipt.transactionHash });
      expect(tx.nonce).toBe(first + i);
      expect(tx.input).toBe(`0x${i.toString(16).padStart(2, "0")}`);
    }
  });

  test("errors: a refused send fails every later submission, none of which reaches the node", async () => {
    const account = anvilAccount(6);
    const sender = await createSender({ client, chain: anvilChain }, account);
    const before = await client.getTransactionCount({ address: account.address, blockTag: "pending" });
    const ok = sender.submit({ to, data: "0x01", gas: 30_000n });
    // More gas than a block holds: anvil refuses it at eth_sendRawTransaction.
    const refused = sender.submit({ to, data: "0x02", gas: 40_000_000n });
    const after = [1, 2, 3].map(() => sender.submit({ to, data: "0x03", gas: 30_000n }));
    expect((await sender.wait(await ok)).status).toBe("success");
    const error = await refused.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(String(error)).toMatch(/gas/i);
    for (const later of after) await expect(later).rejects.toBe(error);
    // Only the first reached the node: its pending nonce moved by one.
    expect(await client.getTransactionCount({ address: account.address, blockTag: "pending" })).toBe(before + 1);
  });

  test("behavior: waiting asks the node only for receipts and the key's nonce, never for a transaction or a block", async () => {
    const account = anvilAccount(7);
    const methods: string[] = [];
    let recording = false;
    const watched = createPublicClient({
      chain: anvilChain,
      transport: http(chain.url, {
        async onFetchRequest(request) {
          const body = (await request.clone().json()) as { method: string } | { method: string }[];
          if (recording) for (const call of [body].flat()) methods.push(call.method);
        },
      }),
    });
    const sender = await createSender({ client: watched, chain: anvilChain }, account);
    await client.request({ method: "evm_setAutomine" as never, params: [false] as never });
    try {
      const hashes = await Promise.all([1, 2, 3].map((i) => sender.submit({ to, data: `0x0${i}`, gas: 30_000n })));
      recording = true;
      // Waiting while they are pending, then once they are mined.
      const receipts = Promise.all(hashes.map((hash) => sender.wait(hash)));
      await sleep(200);
      await client.request({ method: "evm_mine" as never, params: [] as never });
      for (const receipt of await receipts) expect(receipt.status).toBe("success");
    } finally {
      await client.request({ method: "evm_setAutomine" as never, params: [true] as never });
    }
    expect(methods).toContain("eth_getTransactionReceipt");
    const allowed = ["eth_getTransactionReceipt", "eth_getTransactionCount"];
    expect(methods.filter((m) => !allowed.includes(m))).toEqual([]);
  });

  test("errors: a transaction whose nonce another transaction of the key took is reported as replaced", async () => {
    const account = anvilAccount(8);
    const sender = await createSender({ client, chain: anvilChain }, account);
    await client.request({ method: "evm_setAutomine" as never, params: [false] as never });
    try {
      const nonce = await client.getTransactionCount({ address: account.address, blockTag: "pending" });
      const mine = await sender.submit({ to, data: "0x01", gas: 30_000n });
      // The same key sends another transaction with that nonce and a higher tip: the node keeps it instead.
      const wallet = createWalletClient({ account, chain: anvilChain, transport: http(chain.url) });
      const other = await wallet.sendTransaction({
        to,
        data: "0x02",
        nonce,
        gas: 30_000n,
        maxFeePerGas: parseGwei("100"),
        maxPriorityFeePerGas: parseGwei("10"),
      });
      await client.request({ method: "evm_mine" as never, params: [] as never });
      expect((await client.getTransactionReceipt({ hash: other })).status).toBe("success");
      await expect(sender.wait(mine)).rejects.toThrow(/was replaced: another transaction of this key took its nonce/);
    } finally {
      await client.request({ method: "evm_setAutomine" as never, params: [true] as never });
    }
  });
});
