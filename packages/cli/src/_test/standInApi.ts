// A stand-in for the Shanji API, ON PURPOSE: it is not @shanji/api. It serves answers in the shapes
// of the API contract (.shanji/plan/api-contract.md), built from the real chain's logs with
// @shanji/core's proofs, and can be told to lie — serve a tampered entry, drop an entry, serve an
// inconsistent checkpoint — so that the tests show `shanji verify` catching each lie. Tests that
// need an honest API use the real one (_test/startApi.ts).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  consistencyProof,
  decodeLeaf,
  inclusionProofFromLeafHashes,
  leafHash,
  merkleRoot,
  merkleRootFromLeafHashes,
  transparencyLogAbi,
} from "@shanji/core";
import { type Address, type Hex, hexToBytes, type PublicClient } from "viem";

export type Faults = {
  /** Serve this entry with one payload byte changed (leafHash made to match the forged leaf). */
  tamperEntry?: number;
  /** Serve no such entry: 404 on /v1/entries/:i, and left out of stream histories. */
  dropEntry?: number;
  /** Serve checkpoints and consistency proofs of a rewritten history for sizes up to this one. */
  rewriteBelow?: number;
};

export type StandInApi = {
  url: string;
  faults: Faults;
  /** Re-reads the chain (after new transactions). */
  refresh: () => Promise<void>;
  close: () => Promise<void>;
};

type Snapshot = {
  leaves: Uint8Array[];
  hashes: Hex[];
  decoded: ReturnType<typeof decodeLeaf>[];
  blocks: bigint[];
  /** Size of the log at the end of each block that appended entries. */
  sizeAtBlockEnd: Map<number, bigint>;
  headBlock: bigint;
};

export async function startStandInApi(p: { client: PublicClient; chainId: number; log: Address }): Promise<StandInApi> {
  const faults: Faults = {};
  let snap: Snapshot = { leaves: [], hashes: [], decoded: [], blocks: [], sizeAtBlockEnd: new Map(), headBlock: 0n };
  const roots = new Map<number, Hex>();
  const rootOf = (size: number): Hex => {
    let root = roots.get(size);
    if (!root) {
      root = merkleRootFromLeafHashes(snap.hashes.slice(0, size));
      roots.set(size, root);
    }
    return root;
  };

  const refresh = async () => {
    const headBlock = await p.client.getBlockNumber({ cacheTime: 0 });
    const logs = await p.client.getContractEvents({
      address: p.log,
      abi: transparencyLogAbi,
      eventName: "EntryAppended",
      fromBlock: 0n,
      toBlock: headBlock,
    });
    const leaves = logs.map((l) => hexToBytes(l.args.leaf as Hex));
    const blocks = logs.map((l) => l.blockNumber);
    const sizeAtBlockEnd = new Map<number, bigint>();
    blocks.forEach((b, i) => {
      if (blocks[i + 1] !== b) sizeAtBlockEnd.set(i + 1, b);
    });
    snap = {
      leaves,
      hashes: leaves.map((l) => leafHash(l)),
      decoded: leaves.map((l) => decodeLeaf(l)),
      blocks,
      sizeAtBlockEnd,
      headBlock,
    };
    roots.clear();
  };
  await refresh();

  const hex = (b: Uint8Array): Hex => `0x${Buffer.from(b).toString("hex")}`;
  /** The leaves as the (possibly lying) API believes them. */
  const servedLeaf = (i: number): Uint8Array => {
    const leaf = snap.leaves[i] as Uint8Array;
    if (faults.tamperEntry !== i) return leaf;
    const forged = leaf.slice();
    forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 0x01;
    return forged;
  };
  const rewritten = (size: number): Uint8Array[] => {
    const leaves = snap.leaves.slice(0, size);
    if (faults.rewriteBelow !== undefined && size >= 1) {
      const forged = (leaves[0] as Uint8Array).slice();
      forged[forged.length - 1] = (forged[forged.length - 1] as number) ^ 0x01;
      leaves[0] = forged;
    }
    return leaves;
  };
  const rewriting = (size: number) => faults.rewriteBelow !== undefined && size <= faults.rewriteBelow;
  const blockOf = (size: number): string | null => {
    const b = snap.sizeAtBlockEnd.get(size);
    return b === undefined ? null : String(b);
  };
  /** The latest size the chain reported at the end of a block. */
  const latestSize = () => Math.max(0, ...snap.sizeAtBlockEnd.keys());
  const checkpoint = (size: number) => {
    const root = rewriting(size) ? merkleRoot(rewritten(size)) : rootOf(size);
    const origin = `shanji.ledger/${p.chainId}/${p.log.toLowerCase()}`;
    return {
      size: String(size),
      root,
      blockNumber: blockOf(size),
      checkpoint: `${origin}\n${size}\n${Buffer.from(root.slice(2), "hex").toString("base64")}\n`,
    };
  };
  const proofFor = (index: number, treeSize: number) => ({
    index: String(index),
    treeSize: String(treeSize),
    root: rootOf(treeSize),
    inclusion: inclusionProofFromLeafHashes(snap.hashes.slice(0, treeSize), index),
    blockNumber: blockOf(treeSize) ?? String(snap.headBlock),
  });
  const ledger = () => ({
    chainId: p.chainId,
    indexedBlock: String(snap.headBlock),
    chainHead: String(snap.headBlock),
    lag: "0",
    logSize: String(snap.leaves.length),
  });

  const routes: [
    RegExp,
    (m: RegExpExecArray, url: URL, req: IncomingMessage, body: Buffer) => Promise<[number, unknown, string?]>,
  ][] = [
    [/^\/v1\/checkpoints\/latest$/, async () => [200, checkpoint(latestSize())]],
    [
      /^\/v1\/checkpoints\/(\d+)$/,
      async (m) =>
        Number(m[1]) <= snap.leaves.length ? [200, checkpoint(Number(m[1]))] : [404, { title: "no such size" }],
    ],
    [
      /^\/v1\/entries\/(\d+)$/,
      async (m, url) => {
        const i = Number(m[1]);
        if (i >= snap.leaves.length || faults.dropEntry === i)
          return [404, { type: "about:blank", title: "Not Found", status: 404, detail: `no entry ${i}` }];
        const treeSize = url.searchParams.has("treeSize") ? Number(url.searchParams.get("treeSize")) : latestSize();
        const leaf = servedLeaf(i);
        let entry: unknown = null;
        try {
          entry = JSON.parse(JSON.stringify(decodeLeaf(leaf), (_k, v) => (typeof v === "bigint" ? String(v) : v)));
        } catch {}
        return [
          200,
          {
            index: String(i),
            blockNumber: String(snap.blocks[i]),
            leaf: hex(leaf),
            leafHash: leafHash(leaf),
            entry,
            proof: proofFor(i, treeSize),
            ledger: ledger(),
          },
        ];
      },
    ],
    [
      /^\/v1\/streams\/(0x[0-9a-fA-F]{64})\/history$/,
      async (m, url) => {
        const stream = (m[1] as string).toLowerCase();
        const size = latestSize();
        const all: { index: number; prevIndex: string | null }[] = [];
        for (let i = 0; i < size; i++) {
          const s = snap.decoded[i]?.streams.find((x) => x.id.toLowerCase() === stream);
          if (s && faults.dropEntry !== i)
            all.push({ index: i, prevIndex: s.prevIndex === null ? null : String(s.prevIndex) });
        }
        const head = await p.client.readContract({
          address: p.log,
          abi: transparencyLogAbi,
          functionName: "streamHead",
          args: [stream as Hex],
          blockNumber: BigInt(blockOf(size) ?? snap.headBlock),
        });
        const limit = Number(url.searchParams.get("limit") ?? 100);
        const offset = Number(url.searchParams.get("cursor") ?? 0);
        const page = all.slice(offset, offset + limit);
        return [
          200,
          {
            stream,
            head: {
              count: String(head.count),
              lastIndex: String(head.lastIndex),
              lastLeafHash16: head.lastLeafHash,
              blockNumber: blockOf(size),
              treeSize: String(size),
              root: rootOf(size),
            },
            items: page.map((x) => ({
              index: String(x.index),
              prevIndex: x.prevIndex,
              leaf: hex(servedLeaf(x.index)),
              kind: snap.leaves[x.index]?.[1],
              proof: proofFor(x.index, size),
            })),
            nextCursor: offset + limit < all.length ? String(offset + limit) : null,
            ledger: ledger(),
          },
        ];
      },
    ],
    [
      /^\/v1\/proofs\/consistency$/,
      async (_m, url) => {
        const from = Number(url.searchParams.get("from"));
        const to = Number(url.searchParams.get("to"));
        const tree = rewriting(from) ? rewritten(to) : snap.leaves.slice(0, to);
        const fromRoot = rewriting(from) ? merkleRoot(rewritten(from)) : rootOf(from);
        return [
          200,
          {
            from: String(from),
            to: String(to),
            fromRoot,
            toRoot: merkleRoot(tree),
            fromBlock: blockOf(from),
            toBlock: blockOf(to),
            proof: consistencyProof(tree, from),
            ledger: ledger(),
          },
        ];
      },
    ],
  ];

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const url = new URL(req.url ?? "/", "http://stand-in");
      try {
        for (const [pattern, handle] of routes) {
          const m = pattern.exec(url.pathname);
          if (!m) continue;
          const [status, body, type] = await handle(m, url, req, Buffer.concat(chunks));
          res.writeHead(status, {
            "content-type": type ?? (status >= 400 ? "application/problem+json" : "application/json"),
          });
          res.end(typeof body === "string" ? body : JSON.stringify(body));
          return;
        }
        res
          .writeHead(404, { "content-type": "application/problem+json" })
          .end(JSON.stringify({ title: "Not Found", status: 404 }));
      } catch (error) {
        res
          .writeHead(500, { "content-type": "application/problem+json" })
          .end(JSON.stringify({ title: String(error) }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    faults,
    refresh,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
