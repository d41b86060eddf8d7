/**
 * @shanji/core — what anyone needs to check Shanji's ledger without trusting its servers: the
 * contracts' ABIs, the canonical leaf encoding of every entry kind, RFC 6962 Merkle proofs,
 * Unified Social Credit Code validation and integer money. Runs in Node and in browsers.
 */
export * from "./abis.ts";
export * from "./creditCode/creditCodeCheckCharacter.ts";
export * from "./creditCode/generateCreditCode.ts";
export * from "./creditCode/validateCreditCode.ts";
export { LeafEncodingError } from "./encoding/_bytes.ts";
export { type DecodeLeafParameters, type DecodeLeafReturnType, decodeLeaf } from "./encoding/decodeLeaf.ts";
export { type EncodeLeafParameters, type EncodeLeafReturnType, encodeLeaf } from "./encoding/encodeLeaf.ts";
export type { Entry, EntryStream } from "./encoding/entry.ts";
export * from "./encoding/kinds.ts";
export type { EntryRecord, EntryRecordOf } from "./encoding/schemas.ts";
export * from "./encoding/streamId.ts";
export * from "./errors.ts";
export * from "./merkle/consistencyProof.ts";
export * from "./merkle/consistencyProofFromLeafHashes.ts";
export * from "./merkle/inclusionProof.ts";
export * from "./merkle/inclusionProofFromLeafHashes.ts";
export * from "./merkle/leafHash.ts";
export * from "./merkle/merkleRoot.ts";
export * from "./merkle/merkleRootFromLeafHashes.ts";
export * from "./merkle/nodeHash.ts";
export * from "./merkle/verifyConsistency.ts";
export * from "./merkle/verifyInclusion.ts";
export { currencies } from "./money/currencies.ts";
export * from "./money/currencyDecimals.ts";
export * from "./money/formatAmount.ts";
export * from "./money/isCurrencyCode.ts";
export * from "./money/parseAmount.ts";
export * from "./money/toDecimalString.ts";
export * from "./signedRequests.ts";
