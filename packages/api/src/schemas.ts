/**
 * Schemas shared by the routes. Numbers that can pass 2^53 (block numbers, indexes, sizes, ids,
 * amounts in minor units) travel as decimal strings; bytes as lower-case 0x-hex.
 */
import { type Static, type TSchema, Type } from "typebox";

/** A non-negative integer as a decimal string, no leading zeros: "0", "12345". */
export const Decimal = (description?: string) =>
  Type.String({ pattern: "^(0|[1-9][0-9]*)$", maxLength: 78, ...(description ? { description } : {}) });

/** 0x-hex of any length. */
export const Hex = (description?: string) =>
  Type.String({ pattern: "^0x([0-9a-f]{2})*$", ...(description ? { description } : {}) });

/** 0x-hex of exactly `bytes` bytes. */
export const HexBytes = (bytes: number, description?: string) =>
  Type.String({
    pattern: `^0x[0-9a-f]{${2 * bytes}}$`,
    ...(description ? { description } : {}),
  });

export const Address = HexBytes(20, "An EVM address, lower-case hex.");
export const Bytes32 = (description?: string) => HexBytes(32, description);

/** How fresh an answer is: so that a donor knows when a donation just made will show. */
export const LedgerMeta = Type.Object(
  {
    chainId: Type.Integer(),
    indexedBlock: Decimal("The last block the indexer has ingested and checked against the chain's root()."),
    chainHead: Type.Union([Decimal("The chain's latest block, as the API's RPC reported it."), Type.Null()]),
    lag: Type.Union([Decimal("Blocks between the chain head and the indexed block."), Type.Null()]),
    logSize: Decimal("Entries in the log at the indexed block."),
  },
  { additionalProperties: false },
);
export type LedgerMeta = Static<typeof LedgerMeta>;

/** An inclusion proof of entry `index` into the tree of `treeSize` leaves whose root is `root`. */
export const InclusionProof = Type.Object(
  {
    index: Decimal(),
    treeSize: Decimal("A size the chain reported: the log's size() at the end of `blockNumber`."),
    root: Bytes32("RFC 9162 root of the first `treeSize` leaves; equals root() at `blockNumber`."),
    inclusion: Type.Array(Bytes32(), { description: "Sibling hashes, bottom first (RFC 9162 §2.1.3)." }),
    blockNumber: Decimal("Read root() at this block from any node to check `root`."),
  },
  { additionalProperties: false },
);
export type InclusionProof = Static<typeof InclusionProof>;

/** Query parameters of a paginated list. */
export const PageQuery = {
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 50, description: "Items per page." })),
  cursor: Type.Optional(Type.String({ maxLength: 200, description: "Opaque: the `nextCursor` of the previous page." })),
};

/** `{ items, nextCursor, ledger }`. */
export const Page = <T extends TSchema>(item: T, extra: Record<string, TSchema> = {}) =>
  Type.Object(
    {
      ...extra,
      items: Type.Array(item),
      nextCursor: Type.Union([Type.String(), Type.Null()], {
        description: "Pass as `cursor` for the next page; null on the last page.",
      }),
      ledger: LedgerMeta,
    },
    { additionalProperties: false },
  );

/** An amount in minor units with its currency. */
export const Money = Type.Object(
  {
    amount: Decimal("Minor units (fen for CNY)."),
    currency: Type.String({ pattern: "^[A-Z]{3}$" }),
  },
  { additionalProperties: false },
);
