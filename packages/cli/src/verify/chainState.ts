/**
 * What the verifier takes from the chain itself, never from the API: the log's size() and root()
 * and stream heads, at a given block, over the RPC the user names.
 */
import { transparencyLogAbi } from "@shanji/core";
import type { Hex } from "viem";
import { CliError, exitCode } from "../common/cliError.ts";
import { type ChainConnection, shortCause } from "../common/deployment.ts";

export type StreamHead = { count: bigint; lastIndex: bigint; lastLeafHash16: Hex };

export function createChainState(c: ChainConnection) {
  const log = c.deployment.addresses.log;
  const wrap = async <T>(what: string, block: bigint, read: () => Promise<T>): Promise<T> => {
    try {
      return await read();
    } catch (error) {
      throw new CliError(`cannot read ${what} at block ${block} from the chain's RPC`, {
        exitCode: exitCode.unavailable,
        details: `${shortCause(error)}\nA node that prunes old states cannot answer for old blocks; use an archive node, or verify at a recent block.`,
        cause: error,
      });
    }
  };
  return {
    head: () => c.client.getBlockNumber({ cacheTime: 0 }),
    size: (block: bigint) =>
      wrap("the log's size()", block, () =>
        c.client.readContract({ address: log, abi: transparencyLogAbi, functionName: "size", blockNumber: block }),
      ),
    root: (block: bigint) =>
      wrap("the log's root()", block, () =>
        c.client.readContract({ address: log, abi: transparencyLogAbi, functionName: "root", blockNumber: block }),
      ),
    streamHead: async (stream: Hex, block: bigint): Promise<StreamHead> => {
      const head = await wrap(`the head of stream ${stream}`, block, () =>
        c.client.readContract({
          address: log,
          abi: transparencyLogAbi,
          functionName: "streamHead",
          args: [stream],
          blockNumber: block,
        }),
      );
      return { count: head.count, lastIndex: head.lastIndex, lastLeafHash16: head.lastLeafHash.toLowerCase() as Hex };
    },
  };
}

export type ChainState = ReturnType<typeof createChainState>;
