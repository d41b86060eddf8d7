/**
 * The ledger routes: the log itself, with proofs anyone can check against the chain without
 * trusting this server — status, checkpoints (also as C2SP text), entries with inclusion proofs,
 * consistency proofs, and streams' histories with what proves them complete.
 *
 * Every proof is into a size the chain reported at the end of a block, and names that block, so a
 * client reads root() (and streamHead()) there from a node of its choice and compares. Proofs are
 * built from the tree nodes the indexer stored (copied into memory as they are completed); no
 * request rehashes the ledger.
 */
import type { FastifyPluginAsync } from "fastify";
import { readSnapshot } from "../context.ts";
import { warmTreeCache } from "./ledger/checkedProofs.ts";
import { checkpointRoutes } from "./ledger/checkpointRoutes.ts";
import { consistencyRoute } from "./ledger/consistencyRoute.ts";
import { entryRoute } from "./ledger/entryRoute.ts";
import { statusRoute } from "./ledger/statusRoute.ts";
import { streamHistoryRoute } from "./ledger/streamHistoryRoute.ts";

export const ledger: FastifyPluginAsync = async (fastify) => {
  // Proofs read the stored tree from memory once it is copied (ledger/treeCache.ts): start now.
  fastify.addHook("onReady", async () => {
    const snapshot = await readSnapshot(fastify.shanji.store).catch(() => undefined);
    if (snapshot) warmTreeCache(fastify.shanji.store, snapshot.logSize, fastify.log);
  });
  await fastify.register(statusRoute);
  await fastify.register(checkpointRoutes);
  await fastify.register(entryRoute);
  await fastify.register(consistencyRoute);
  await fastify.register(streamHistoryRoute);
};
