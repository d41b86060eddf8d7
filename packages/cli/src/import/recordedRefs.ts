/**
 * Which of an organisation's external references are already on the ledger: a record's stream
 * (recordStream(orgId, ref)) has a head on the log as soon as the record is written, so a non-zero
 * count means "recorded" (the record itself, or the record and its reversal).
 *
 * The node answers for a thousand rows at once: RecordedRefsReader.sol (beside this file) is run
 * as the code of an eth_call without `to`, and computes each row's stream and reads its head
 * inside the EVM. One eth_call per row (in JSON-RPC batches) cost the node ~100 µs of request
 * handling each for a read of a few µs, and this process a keccak pair per row: for 100,000 rows
 * the check outlasted the validation by 6 s. Any node that runs contract creations in eth_call
 * (geth, Besu, anvil) answers it; nothing is deployed.
 */
import { type Address, concat, encodeAbiParameters, type Hex } from "viem";
import { CliError, exitCode } from "../common/cliError.ts";
import { ethCallBatch } from "../common/rpcBatch.ts";

/**
 * The creation code of RecordedRefsReader.sol: solc 0.8.34, optimizer 200 runs, cancun, no
 * metadata. recordedRefs.test.ts recompiles the source and checks that it is this.
 */
export const RECORDED_REFS_READER_BYTECODE: Hex = ("0x" +
  "608060405234801561000f575f5ffd5b506040516103c13803806103c183398101604081905261002e9161023e565b5f8151" +
  "600161003d9190610314565b6001600160401b03811115610054576100546101fa565b6040519080825280601f01601f1916" +
  "6020018201604052801561007e576020820181803683370190505b5090505f5b8251811015610172575f856001600160a01b" +
  "03166361fcb6cc6100c5878786815181106100b2576100b2610333565b602002602001015161017b60201b60201c565b6040" +
  "518263ffffffff1660e01b81526004016100e391815260200190565b606060405180830381865afa1580156100fe573d5f5f" +
  "3e3d5ffd5b505050506040513d601f19601f820116820180604052508101906101229190610347565b516001600160401b03" +
  "16111561016a57600160f81b82610143836001610314565b8151811061015357610153610333565b60200101906001600160" +
  "f81b03191690815f1a9053505b600101610083565b50805160208201f35b6040516001600160c01b031960c084901b166020" +
  "820152602881018290525f906101c690600390604801604051602081830303815290604052805190602001206101cf60201b" +
  "60201c565b90505b92915050565b5f825f53506001525060215f2090565b80516001600160401b03811681146101f5575f5f" +
  "fd5b919050565b634e487b7160e01b5f52604160045260245ffd5b604051601f8201601f191681016001600160401b038111" +
  "8282101715610236576102366101fa565b604052919050565b5f5f5f60608486031215610250575f5ffd5b83516001600160" +
  "a01b0381168114610266575f5ffd5b9250610274602085016101df565b60408501519092506001600160401b038111156102" +
  "8f575f5ffd5b8401601f8101861361029f575f5ffd5b80516001600160401b038111156102b8576102b86101fa565b806005" +
  "1b6102c86020820161020e565b918252602081840181019290810190898411156102e3575f5ffd5b6020850194505b838510" +
  "156103055784518252602094850194909101906102ea565b80955050505050509250925092565b808201808211156101c957" +
  "634e487b7160e01b5f52601160045260245ffd5b634e487b7160e01b5f52603260045260245ffd5b5f606082840312801561" +
  "0358575f5ffd5b50604051606081016001600160401b038111828210171561037b5761037b6101fa565b6040526103878361" +
  "01df565b8152610395602084016101df565b602082015260408301516001600160801b0319811681146103b4575f5ffd5b60" +
  "40820152939250505056fe") as Hex;

/**
 * Rows per eth_call: the refs travel in the creation code, which may be at most 49,152 bytes
 * (EIP-3860), so 1,000 refs of 32 bytes (33 KB) with room to spare. Such a call uses ~5,100,000
 * gas (a cold call and a cold slot a row, and the code itself), far under what an eth_call may use
 * on common nodes (the block's 30,000,000 on anvil and Besu, 50,000,000 on geth); the answer, a
 * byte a row, stays under the 24,576 bytes a creation may return (EIP-170).
 */
const REFS_PER_CALL = 1_000;
const READER_ARGS = [{ type: "address" }, { type: "uint64" }, { type: "bytes32[]" }] as const;

export async function recordedRefs(p: {
  rpcUrl: string;
  log: Address;
  orgId: bigint;
  refs: readonly Hex[];
  block?: bigint;
}): Promise<Set<Hex>> {
  const chunks: (readonly Hex[])[] = [];
  for (let i = 0; i < p.refs.length; i += REFS_PER_CALL) chunks.push(p.refs.slice(i, i + REFS_PER_CALL));
  const calls = chunks.map((refs) => ({
    data: concat([RECORDED_REFS_READER_BYTECODE, encodeAbiParameters(READER_ARGS, [p.log, p.orgId, refs])]),
  }));
  const answers = await ethCallBatch(p.rpcUrl, calls, {
    batchSize: 1,
    concurrency: 2,
    ...(p.block === undefined ? {} : { block: p.block }),
  });
  const recorded = new Set<Hex>();
  answers.forEach((answer, c) => {
    const refs = chunks[c] as readonly Hex[];
    const flags = Buffer.from(answer.slice(2), "hex");
    if (flags.length !== refs.length + 1) {
      throw new CliError("the node answered the check of recorded rows with something else", {
        exitCode: exitCode.unavailable,
        details: `${refs.length} rows asked, ${flags.length} bytes answered (does ${p.rpcUrl} run contract creations in eth_call?)`,
      });
    }
    refs.forEach((ref, i) => {
      if (flags[i + 1] === 1) recorded.add(ref);
    });
  });
  return recorded;
}
