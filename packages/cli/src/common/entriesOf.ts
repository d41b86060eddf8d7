/** The log entries a transaction appended, decoded (to learn the ids the contracts assigned). */
import { decodeLeaf, type Entry, transparencyLogAbi } from "@shanji/core";
import { type Address, isAddressEqual, parseEventLogs, type TransactionReceipt } from "viem";

export function entriesOf(receipt: TransactionReceipt, log: Address): Entry[] {
  return parseEventLogs({ abi: transparencyLogAbi, logs: receipt.logs, eventName: "EntryAppended" })
    .filter((event) => isAddressEqual(event.address, log))
    .map((event) => decodeLeaf(event.args.leaf));
}
