/**
 * GET /v1/status — which ledger this is (chain, contract addresses), how far it is indexed, the
 * log's size and root there with the block that reported them, and the indexer's health.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { problemResponses } from "../../problem.ts";
import { Address, Bytes32, Decimal, LedgerMeta } from "../../schemas.ts";

export const StatusAnswer = Type.Object(
  {
    chainId: Type.Integer(),
    addresses: Type.Object(
      { log: Address, registry: Address, charityLedger: Address, volunteerCredit: Address },
      { additionalProperties: false },
    ),
    deployBlock: Decimal("The block the log was deployed in."),
    chainHead: Type.Union([Decimal(), Type.Null()], { description: "null when the API's RPC does not answer." }),
    indexedBlock: Decimal(),
    lag: Type.Union([Decimal(), Type.Null()]),
    log: Type.Object(
      {
        size: Decimal("Entries in the log at the indexed block."),
        root: Bytes32("root() of the log at the indexed block."),
        blockNumber: Type.Union([Decimal(), Type.Null()], {
          description: "The block at whose end the chain reported this size and root (null while the log is empty).",
        }),
      },
      { additionalProperties: false },
    ),
    indexer: Type.Object(
      {
        state: Type.Union(
          [
            Type.Literal("starting"),
            Type.Literal("syncing"),
            Type.Literal("idle"),
            Type.Literal("retrying"),
            Type.Literal("failed"),
            Type.Literal("stopped"),
            Type.Null(),
          ],
          { description: "The indexer's state (IndexerStatus); null when it runs in another process." },
        ),
        viewsLogSize: Type.Union([Decimal(), Type.Null()], {
          description: "The log size the derived views (campaigns, organisations, volunteers) cover.",
        }),
        selfCheckFailures: Decimal(
          "Batches the indexer refused because they did not rebuild the chain's root() (then refetched).",
        ),
        lastSelfCheckFailure: Type.Union([
          Type.Object(
            {
              at: Type.String({ format: "date-time" }),
              fromBlock: Decimal(),
              toBlock: Decimal(),
            },
            { additionalProperties: false },
          ),
          Type.Null(),
        ]),
      },
      { additionalProperties: false },
    ),
    ledger: LedgerMeta,
  },
  { additionalProperties: false },
);

export const statusRoute: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/v1/status",
    {
      schema: {
        tags: ["ledger"],
        summary: "The ledger, how far it is indexed, and the indexer's health",
        response: { 200: StatusAnswer, ...problemResponses },
      },
    },
    async () => {
      const { store, deployment } = app.shanji;
      const snapshot = await app.shanji.snapshot();
      const [ledger, failures, views] = await Promise.all([
        app.shanji.ledgerMeta(snapshot),
        store.query<{ n: bigint; at: Date | null; from_block: bigint | null; to_block: bigint | null }>(
          `select (select count(*) from self_check_failures) as n, f.at, f.from_block, f.to_block
           from (select 1) as one left join (select at, from_block, to_block from self_check_failures order by id desc limit 1) as f on true`,
        ),
        store.query<{ log_size: bigint }>("select log_size from views_cursor where id = 1"),
      ]);
      const failure = failures[0];
      const a = deployment.addresses;
      return {
        chainId: deployment.chainId,
        addresses: {
          log: a.log.toLowerCase(),
          registry: a.registry.toLowerCase(),
          charityLedger: a.charityLedger.toLowerCase(),
          volunteerCredit: a.volunteerCredit.toLowerCase(),
        },
        deployBlock: BigInt(deployment.deployBlock).toString(),
        chainHead: ledger.chainHead,
        indexedBlock: ledger.indexedBlock,
        lag: ledger.lag,
        log: {
          size: snapshot.logSize.toString(),
          root: snapshot.root,
          blockNumber: snapshot.logSize === 0n ? null : snapshot.sizeBlock.toString(),
        },
        indexer: {
          state: app.shanji.indexerState(),
          viewsLogSize: views[0] ? views[0].log_size.toString() : null,
          selfCheckFailures: (failure?.n ?? 0n).toString(),
          lastSelfCheckFailure:
            failure?.at && failure.from_block !== null && failure.to_block !== null
              ? {
                  at: failure.at.toISOString(),
                  fromBlock: failure.from_block.toString(),
                  toBlock: failure.to_block.toString(),
                }
              : null,
        },
        ledger,
      };
    },
  );
};
