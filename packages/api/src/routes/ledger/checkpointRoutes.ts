/**
 * GET /v1/checkpoints/latest and /v1/checkpoints/:size — a size of the log and its root; the block
 * at whose end the chain reported that size, if one did; and the same as a C2SP checkpoint body
 * (`Accept: text/plain` gets the text alone).
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { rootAt } from "@shanji/indexer";
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from "fastify";
import { Type } from "typebox";
import type { LedgerSnapshot } from "../../context.ts";
import { notFound, problemResponses } from "../../problem.ts";
import { Decimal, LedgerMeta } from "../../schemas.ts";
import { checkpointOrigin, checkpointText, prefersText, reportedSize } from "./checkpoints.ts";
import { checkpointFields } from "./schemas.ts";
import { duringReorgSafe } from "./storeRace.ts";

export const CheckpointAnswer = Type.Object(
  {
    ...checkpointFields,
    checkpoint: Type.String({
      description:
        "The C2SP checkpoint body (https://c2sp.org/tlog-checkpoint): `<origin>\\n<size>\\n<base64 root>\\n`, " +
        "origin `shanji.ledger/<chainId>/<log address>`.",
    }),
    ledger: LedgerMeta,
  },
  { additionalProperties: false },
);

const response = {
  200: {
    description: "The checkpoint, as JSON or (Accept: text/plain) as the C2SP text alone.",
    content: {
      "application/json": { schema: CheckpointAnswer },
      "text/plain": { schema: Type.String() },
    },
  },
  ...problemResponses,
};

export const checkpointRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const origin = checkpointOrigin(app.shanji.deployment);

  async function answer(
    request: FastifyRequest,
    reply: FastifyReply,
    snapshot: LedgerSnapshot,
    checkpoint: { size: bigint; root: string; blockNumber: bigint | null },
  ) {
    const text = checkpointText(origin, checkpoint.size, checkpoint.root as `0x${string}`);
    // Caches must keep the two representations apart.
    reply.header("vary", "accept");
    if (prefersText(request.headers.accept)) return reply.type("text/plain; charset=utf-8").send(text);
    return reply.type("application/json; charset=utf-8").send({
      size: checkpoint.size.toString(),
      root: checkpoint.root,
      blockNumber: checkpoint.blockNumber === null ? null : checkpoint.blockNumber.toString(),
      checkpoint: text,
      ledger: await app.shanji.ledgerMeta(snapshot),
    });
  }

  app.get(
    "/v1/checkpoints/latest",
    {
      schema: {
        tags: ["ledger"],
        summary: "The log's size and root at the indexed block",
        description:
          "The latest size the chain reported that the indexer has checked: root() at the end of `blockNumber` is `root`.",
        response,
      },
    },
    async (request, reply) => {
      const snapshot = await app.shanji.snapshot();
      return answer(request, reply, snapshot, {
        size: snapshot.logSize,
        root: snapshot.root,
        blockNumber: snapshot.logSize === 0n ? null : snapshot.sizeBlock,
      });
    },
  );

  app.get(
    "/v1/checkpoints/:size",
    {
      schema: {
        tags: ["ledger"],
        summary: "The root of the log at a given size",
        description:
          "The root of the first `size` entries, computed from the stored tree; `blockNumber` names a block " +
          "at whose end the chain's log had exactly that size (then root() there is `root`), or is null.",
        params: Type.Object(
          { size: Decimal("A size of the log, at most the indexed size.") },
          { additionalProperties: false },
        ),
        response,
      },
    },
    async (request, reply) => {
      const snapshot = await app.shanji.snapshot();
      const size = BigInt(request.params.size);
      if (size > snapshot.logSize) {
        throw notFound(
          `no checkpoint at size ${size}: the log holds ${snapshot.logSize} entries as indexed at block ${snapshot.indexedBlock}`,
        );
      }
      const reported = size === 0n ? undefined : await reportedSize(app.shanji.store, size);
      const root = reported?.root ?? (await duringReorgSafe(rootAt(app.shanji.store, size)));
      return answer(request, reply, snapshot, { size, root, blockNumber: reported?.blockNumber ?? null });
    },
  );
};
