/**
 * Reads the log's root() at a block from an RPC node the reader chooses — standard eth_call, so any
 * Ethereum JSON-RPC node of the chain answers (anvil, Besu, geth) — and the node's chain id, so the
 * reader sees which chain answered.
 */
export const ROOT_SELECTOR = "0xebf0c717"; // keccak256("root()")[0:4]

/** The JSON-RPC request body that reads root() of `log` at `block`. */
export function rootCallBody(log: string, block: string): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    id: 1,
    method: "eth_call",
    params: [{ to: log, data: ROOT_SELECTOR }, `0x${BigInt(block).toString(16)}`],
  });
}

export type ReadRootFromRpcReturnType = { root: string; chainId: number };

export async function readRootFromRpc(rpcUrl: string, log: string, block: string): Promise<ReadRootFromRpcReturnType> {
  const call = async (body: string) => {
    const response = await fetch(rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const answer = (await response.json()) as { result?: string; error?: { message?: string } };
    if (answer.error || typeof answer.result !== "string") throw new Error(answer.error?.message ?? "no result");
    return answer.result;
  };
  const [root, chainId] = await Promise.all([
    call(rootCallBody(log, block)),
    call(JSON.stringify({ jsonrpc: "2.0", id: 2, method: "eth_chainId", params: [] })),
  ]);
  if (!/^0x[0-9a-fA-F]{64}$/.test(root)) throw new Error(`unexpected answer ${root.slice(0, 80)}`);
  return { root: root.toLowerCase(), chainId: Number(BigInt(chainId)) };
}
