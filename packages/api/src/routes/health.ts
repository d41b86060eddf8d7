/**
 * Liveness (the process answers) and readiness (the database answers and the indexer has indexed
 * something), for a load balancer or an orchestrator.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { readSnapshot } from "../context.ts";
import { Problem } from "../problem.ts";

export const health: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/health/live",
    {
      schema: {
        tags: ["health"],
        summary: "The process is up",
        response: { 200: Type.Object({ status: Type.Literal("ok") }, { additionalProperties: false }) },
      },
      config: { rateLimit: false },
    },
    async () => ({ status: "ok" as const }),
  );
  app.get(
    "/health/ready",
    {
      schema: {
        tags: ["health"],
        summary: "The database answers and the indexer has indexed at least one block",
        response: {
          200: Type.Object(
            { status: Type.Literal("ready"), indexedBlock: Type.String() },
            { additionalProperties: false },
          ),
          503: Problem,
        },
      },
      config: { rateLimit: false },
    },
    async (_request, reply) => {
      const snapshot = await readSnapshot(app.shanji.store).catch(() => undefined);
      if (!snapshot)
        return reply.code(503).type("application/problem+json").send({
          type: "about:blank",
          title: "Service Unavailable",
          status: 503,
          detail: "the database does not answer, or the indexer has not indexed any block yet",
        });
      return { status: "ready" as const, indexedBlock: snapshot.indexedBlock.toString() };
    },
  );
};
