/**
 * The nonces of accepted signed requests, in the database (table api_nonces, migration 0004), so
 * that every API process behind a load balancer refuses a replay. A nonce is claimed with one
 * insert that either adds it or finds it there: two copies of a request racing to two processes
 * cannot both win. Nonces whose timestamp has left the window are deleted now and then; a replay of
 * such a request is refused as expired before its nonce is looked at.
 *
 * Only requests whose signature is valid and whose signer may act reach the ledger, so nobody can
 * fill the table or burn another signer's nonces without a key.
 */
import type { Queryable } from "@shanji/indexer";
import { type Address, type Hex, hexToBytes } from "viem";
import { MAX_CLOCK_SKEW_SECONDS } from "./signedRequest.ts";

export type NonceLedger = {
  /** True when the nonce was new and is now taken; false when it was used before. */
  claim(parameters: { nonce: Hex; signer: Address; timestamp: bigint; now: number }): Promise<boolean>;
};

/** Kept this much longer than the window, for API processes whose clocks differ a little. */
const CLOCK_MARGIN_SECONDS = 60;
/** Expired nonces are deleted at most this often per process. */
const PRUNE_INTERVAL_MS = 60_000;

export function createNonceLedger(store: Queryable): NonceLedger {
  let lastPrune = 0;
  return {
    async claim({ nonce, signer, timestamp, now }) {
      const expiresAt = timestamp + BigInt(MAX_CLOCK_SKEW_SECONDS + CLOCK_MARGIN_SECONDS);
      const rows = await store.query(
        `insert into api_nonces (nonce, signer, expires_at) values ($1, $2, $3)
         on conflict (nonce) do nothing returning expires_at`,
        [hexToBytes(nonce), hexToBytes(signer), expiresAt],
      );
      if (Date.now() - lastPrune > PRUNE_INTERVAL_MS) {
        lastPrune = Date.now();
        await store.query("delete from api_nonces where expires_at < $1", [BigInt(Math.floor(now))]);
      }
      return rows.length === 1;
    },
  };
}
