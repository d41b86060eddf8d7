/**
 * GET /v1/proofs/consistency?from=&to= — the RFC 9162 consistency proof that the log of `to`
 * entries extends the log of `from` entries by appending only, with both roots and the blocks at
 * whose end the chain reported those sizes.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { consistencyProofAt } from "@shanji/indexer";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { badRequest, problemResponses } from "../../problem.ts";
import { Bytes32, Decimal, LedgerMeta } from "../../schemas.ts";
import { reportedSize } from "./checkpoints.ts";
import { assertSameRoot, duringReorgSafe } from "./storeRace.ts";

const block = (what: string) =>
  Type.Union([Decimal(), Type.Null()], {
    description: `A block at whose end the chain's log had exactly \`${what}\` entries; null if none.`,
  });

export const ConsistencyAnswer = Type.Object(
  {
    from: Decimal(),
    to: Decimal(),
    fromRoot: Bytes32(),
    toRoot: Bytes32(),
    fromBlock: block("from"),
    toBlock: block("to"),
    proof: Type.Array(Bytes32(), { description: "RFC 9162 §2.1.4 consistency proof; empty when from = to." }),
    ledger: LedgerMeta,
  },
  { additionalProperties: false },
);

export const consistencyRoute: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/v1/proofs/consistency",
    {
      schema: {
        tags: ["ledger"],
        summary: "Proof that the log at one size extends the log at an earlier size",
        description:
          "Check it with any RFC 9162 verifier (@shanji/core verifyConsistency): then nothing in the first " +
          "`from` entries was rewritten between the two sizes.",
        querystring: Type.Object(
          {
            from: Decimal("The earlier size, at least 1."),
            to: Type.Optional(Decimal("The later size, at most the indexed size (default: the indexed size).")),
          },
          { additionalProperties: false },
        ),
        response: { 200: ConsistencyAnswer, ...problemResponses },
      },
    },
    async (request) => {
      const snapshot = await app.shanji.snapshot();
      const from = BigInt(request.query.from);
      const to = request.query.to === undefined ? snapshot.logSize : BigInt(request.query.to);
      if (to > snapshot.logSize) {
        throw badRequest("querystring.to", `is beyond the indexed log size ${snapshot.logSize}`);
      }
      if (from === 0n) {
        throw badRequest("querystring.from", "must be at least 1: RFC 9162 defines consistency from a non-empty log");
      }
      if (from > to) throw badRequest("querystring.from", `must not be above to (${to})`);
      const [proof, fromReported, toReported] = await duringReorgSafe(
        Promise.all([
          consistencyProofAt(app.shanji.store, from, to),
          reportedSize(app.shanji.store, from),
          reportedSize(app.shanji.store, to),
        ]),
      );
      if (fromReported) assertSameRoot(proof.oldRoot, fromReported.root, `size ${from}`);
      if (toReported) assertSameRoot(proof.newRoot, toReported.root, `size ${to}`);
      return {
        from: from.toString(),
        to: to.toString(),
        fromRoot: proof.oldRoot,
        toRoot: proof.newRoot,
        fromBlock: fromReported ? fromReported.blockNumber.toString() : null,
        toBlock: toReported ? toReported.blockNumber.toString() : null,
        proof: proof.proof,
        ledger: await app.shanji.ledgerMeta(snapshot),
      };
    },
  );
};
