/**
 * GET /v1/entries/:index — one entry of the log, decoded, with its inclusion proof into a size the
 * chain reported (by default the indexed size), naming the block at whose end the chain's root()
 * was that proof's root.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { badRequest, notFound, problemResponses } from "../../problem.ts";
import { Decimal, LedgerMeta } from "../../schemas.ts";
import { checkedProofs, warmTreeCache } from "./checkedProofs.ts";
import { reportedSize } from "./checkpoints.ts";
import { entryView } from "./entryView.ts";
import { entryFields } from "./schemas.ts";

export const EntryAnswer = Type.Object({ ...entryFields, ledger: LedgerMeta }, { additionalProperties: false });

export const entryRoute: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/v1/entries/:index",
    {
      schema: {
        tags: ["ledger"],
        summary: "An entry of the log, with its inclusion proof",
        description:
          "The entry's leaf data as the contract emitted it, decoded, and an RFC 9162 inclusion proof: " +
          "SHA-256(0x00 ‖ leaf) with `proof.inclusion` leads to `proof.root`, which is root() of the log " +
          "at the end of block `proof.blockNumber` — read it from any node you trust to check the answer.",
        params: Type.Object(
          { index: Decimal("The entry's index in the log, from 0.") },
          { additionalProperties: false },
        ),
        querystring: Type.Object(
          {
            treeSize: Type.Optional(
              Decimal(
                "Prove into this size instead of the indexed one: a size the chain reported at the end of a block " +
                  "(see /v1/checkpoints/{size}), above `index`.",
              ),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: EntryAnswer, ...problemResponses },
      },
      // The answer is built field by field to its schema (a test checks every kind against it); plain
      // JSON.stringify writes it several times faster than a serializer that must try each of the 24
      // entry kinds of the record union in turn.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request) => {
      const snapshot = await app.shanji.snapshot();
      const index = BigInt(request.params.index);
      if (index >= snapshot.logSize) {
        throw notFound(
          `no entry ${index}: the log holds ${snapshot.logSize} entries as indexed at block ${snapshot.indexedBlock}`,
        );
      }
      let at = { treeSize: snapshot.logSize, blockNumber: snapshot.sizeBlock, root: snapshot.root };
      if (request.query.treeSize !== undefined) {
        const treeSize = BigInt(request.query.treeSize);
        if (treeSize <= index) throw badRequest("querystring.treeSize", `must be above the entry's index ${index}`);
        if (treeSize > snapshot.logSize) {
          throw badRequest("querystring.treeSize", `is beyond the indexed log size ${snapshot.logSize}`);
        }
        const reported = await reportedSize(app.shanji.store, treeSize);
        if (!reported) {
          throw badRequest(
            "querystring.treeSize",
            "is not a size the chain reported at the end of a block; proofs are given against those only",
          );
        }
        at = { treeSize, blockNumber: reported.blockNumber, root: reported.root };
      }
      warmTreeCache(app.shanji.store, snapshot.logSize, request.log);
      const { proofs, rows } = await checkedProofs(app.shanji.store, request.log, {
        indexes: [index],
        size: at.treeSize,
        root: at.root,
        withRows: true,
      });
      const row = rows.get(index);
      const proof = proofs.get(index);
      if (!row || !proof) throw notFound(`no entry ${index}`);
      return { ...entryView(row, proof, at), ledger: await app.shanji.ledgerMeta(snapshot) };
    },
  );
};
