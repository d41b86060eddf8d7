import { randomBytes } from "node:crypto";
import { type Hex, recoverTransactionAddress } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { expect, test } from "vitest";
import { signRawTransaction } from "./signRawTransaction.ts";

const account = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const to = "0x5FbDB2315678afecb367f032d93F642f64180aa3";

/** Calldata of every RLP length class: empty, one byte below and at 0x80, short, long, a batch's size. */
const DATA: Hex[] = [
  "0x",
  "0x7f",
  "0x80",
  `0x${"ab".repeat(55)}`,
  `0x${"cd".repeat(56)}`,
  `0x${randomBytes(300).toString("hex")}`,
  `0x${randomBytes(62_000).toString("hex")}`,
];

test("behavior: EIP-1559 transactions are byte for byte viem's", async () => {
  let n = 0;
  for (const data of DATA) {
    for (const fees of [
      { maxFeePerGas: 0n, maxPriorityFeePerGas: 0n },
      { maxFeePerGas: 3_000_000_007n, maxPriorityFeePerGas: 0n },
      { maxFeePerGas: 2n ** 70n, maxPriorityFeePerGas: 127n },
    ]) {
      for (const [chainId, nonce, gas] of [
        [31337, 0, 21_000n],
        [1, 127, 16_700_000n],
        [2 ** 32 + 5, 2 ** 40, 128n],
      ] as const) {
        const tx = { chainId, nonce, gas, to, data, ...fees } as const;
        const ours = await signRawTransaction({ account, chainId, nonce, gas, to, data, fees });
        expect(ours, `transaction ${n++}`).toBe(await account.signTransaction({ ...tx, type: "eip1559" }));
      }
    }
  }
});

test("behavior: legacy transactions (EIP-155) are byte for byte viem's", async () => {
  for (const data of DATA) {
    for (const [chainId, nonce, gasPrice] of [
      [31337, 0, 0n],
      [1, 1, 1n],
      [2018, 300, 20_000_000_000n],
    ] as const) {
      const ours = await signRawTransaction({ account, chainId, nonce, gas: 90_000n, to, data, fees: { gasPrice } });
      expect(ours).toBe(
        await account.signTransaction({ chainId, nonce, gas: 90_000n, to, data, gasPrice, type: "legacy" }),
      );
    }
  }
});

test("behavior: signatures whose r or s start with zero bytes are trimmed as viem trims them", async () => {
  // About one signature in 128 has r or s below 2^248; of these 600 (deterministic, RFC 6979) some do.
  let trimmed = 0;
  for (let nonce = 0; nonce < 600; nonce++) {
    const ours = await signRawTransaction({
      account,
      chainId: 31337,
      nonce,
      gas: 21_000n,
      to,
      data: "0x01",
      fees: { maxFeePerGas: 1n, maxPriorityFeePerGas: 0n },
    });
    // The transaction ends with r and s; each of 32 bytes is 0xa0 and its bytes.
    if (ours.slice(-132, -130) !== "a0" || ours.slice(-66, -64) !== "a0") trimmed++;
    expect(ours).toBe(
      await account.signTransaction({
        chainId: 31337,
        nonce,
        gas: 21_000n,
        to,
        data: "0x01",
        maxFeePerGas: 1n,
        maxPriorityFeePerGas: 0n,
        type: "eip1559",
      }),
    );
    expect(await recoverTransactionAddress({ serializedTransaction: ours as `0x02${string}` })).toBe(account.address);
  }
  expect(trimmed).toBeGreaterThan(0);
});
