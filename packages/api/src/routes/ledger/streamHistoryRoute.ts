/**
 * GET /v1/streams/:stream/history — every entry of one stream (a campaign, an organisation, a
 * record, a volunteer pseudonym, an activity, governance), with what it takes to check that the
 * history is complete: the stream's head as the chain holds it at a reported size (count, last
 * index, first 16 bytes of the last leaf hash — streamHead(id) at `head.blockNumber`), each entry's
 * back-pointer, and each entry's inclusion proof into that same size.
 *
 * The first page pins the log size; its cursor carries it, so later pages prove into the same size
 * and list exactly the history at that size, however many entries arrive meanwhile. Ask again
 * without a cursor to see newer entries.
 */
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { bytesToHex, type Hex, hexToBytes } from "viem";
import { decodeCursor, encodeCursor } from "../../cursor.ts";
import { badRequest, notFound, problemResponses } from "../../problem.ts";
import { Bytes32, Decimal, HexBytes, LedgerMeta, PageQuery } from "../../schemas.ts";
import { checkedProofs, warmTreeCache } from "./checkedProofs.ts";
import { reportedSize } from "./checkpoints.ts";
import { entryView } from "./entryView.ts";
import type { EntryRow } from "./inclusionProofs.ts";
import { entryFields } from "./schemas.ts";

export const StreamHead = Type.Object(
  {
    count: Decimal("Entries of the stream in the first `treeSize` entries of the log."),
    lastIndex: Decimal("The stream's last entry among them."),
    lastLeafHash16: HexBytes(16, "The first 16 bytes of that entry's leaf hash."),
    blockNumber: Decimal(
      "streamHead(stream) of the log at the end of this block returns count, lastIndex and lastLeafHash16.",
    ),
    treeSize: Decimal("The log's size at the end of `blockNumber`: every proof of the pages is into this size."),
    root: Bytes32("root() of the log at the end of `blockNumber`."),
  },
  { additionalProperties: false },
);

export const StreamHistoryItem = Type.Object(
  {
    ...entryFields,
    prevIndex: Type.Union([Decimal(), Type.Null()], {
      description: "The stream's previous entry (the back-pointer in the leaf); null for its first entry.",
    }),
  },
  { additionalProperties: false },
);

export const StreamHistoryAnswer = Type.Object(
  {
    stream: Bytes32(),
    order: Type.Union([Type.Literal("desc"), Type.Literal("asc")]),
    head: StreamHead,
    items: Type.Array(StreamHistoryItem),
    nextCursor: Type.Union([Type.String(), Type.Null()], {
      description: "Pass as `cursor` for the next page (same size, same order); null on the last page.",
    }),
    ledger: LedgerMeta,
  },
  { additionalProperties: false },
);

/** The cursor: version, pinned log size, last index of the previous page, order, and a tag of the stream. */
type HistoryCursor = { v: 1; s: string; a: string; o: "d" | "a"; t: string };

const isHistoryCursor = (value: unknown): value is HistoryCursor => {
  if (typeof value !== "object" || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    c.v === 1 &&
    typeof c.s === "string" &&
    /^(0|[1-9][0-9]{0,18})$/.test(c.s) &&
    typeof c.a === "string" &&
    /^(0|[1-9][0-9]{0,18})$/.test(c.a) &&
    (c.o === "d" || c.o === "a") &&
    typeof c.t === "string"
  );
};

type PageRow = EntryRow & { prev_idx: bigint | null };

export const streamHistoryRoute: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get(
    "/v1/streams/:stream/history",
    {
      schema: {
        tags: ["ledger"],
        summary: "A stream's whole history, with what proves it complete",
        description:
          "Complete when: following prevIndex from head.lastIndex visits every item down to one whose prevIndex " +
          "is null, head.count items in all; each item's leaf proves into head.root; and streamHead(stream) and " +
          "root() read from the chain at head.blockNumber equal head. Default order: newest first (desc), the " +
          "order in which the back-pointers are followed.",
        params: Type.Object(
          {
            stream: Type.String({
              pattern: "^0x[0-9a-fA-F]{64}$",
              description: "The stream id: 0x and 64 hex digits.",
            }),
          },
          { additionalProperties: false },
        ),
        querystring: Type.Object(
          {
            ...PageQuery,
            order: Type.Optional(
              Type.Union([Type.Literal("desc"), Type.Literal("asc")], {
                description: "desc (default): newest first; asc: oldest first. A cursor keeps its own order.",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: StreamHistoryAnswer, ...problemResponses },
      },
      // The answer is built field by field to its schema (a test checks every kind against it); plain
      // JSON.stringify writes it several times faster than a serializer that must try each of the 24
      // entry kinds of the record union in turn.
      serializerCompiler: () => (data) => JSON.stringify(data),
    },
    async (request) => {
      const { store } = app.shanji;
      const snapshot = await app.shanji.snapshot();
      const stream = request.params.stream.toLowerCase() as Hex;
      const streamBytes = hexToBytes(stream);
      const limit = request.query.limit ?? 50;
      const cursor = decodeCursor(request.query.cursor, isHistoryCursor);
      if (cursor && cursor.t !== stream.slice(2, 18)) {
        throw badRequest("querystring.cursor", "belongs to another stream's history");
      }
      const order = cursor ? (cursor.o === "d" ? "desc" : "asc") : (request.query.order ?? "desc");
      if (cursor && request.query.order !== undefined && request.query.order !== order) {
        throw badRequest("querystring.order", "differs from the order of the cursor's pages");
      }

      // The size every proof of this page sequence is into, and the block that reported it.
      let at = { treeSize: snapshot.logSize, blockNumber: snapshot.sizeBlock, root: snapshot.root };
      if (cursor) {
        const treeSize = BigInt(cursor.s);
        const reported = treeSize <= snapshot.logSize ? await reportedSize(store, treeSize) : undefined;
        if (!reported) {
          throw badRequest(
            "querystring.cursor",
            "refers to a log size that is no longer indexed (the chain reorganised); start again without a cursor",
          );
        }
        at = { treeSize, blockNumber: reported.blockNumber, root: reported.root };
      }

      const head = await streamHead(streamBytes, at.treeSize);
      if (!head) throw notFound(`stream ${stream} has no entries in the first ${at.treeSize} entries of the log`);

      // Past the pinned size there is nothing to list (and a forged cursor must not reach the database as an overflow).
      const after = cursor ? (BigInt(cursor.a) < at.treeSize ? BigInt(cursor.a) : at.treeSize) : undefined;
      const rows = await store.query<PageRow>(
        order === "desc"
          ? `select es.idx, es.prev_idx, e.block_number, e.tx_hash, e.log_index, e.kind, e.leaf, e.leaf_hash
             from entry_streams es join entries e on e.idx = es.idx
             where es.stream_id = $1 and es.idx < $2 order by es.idx desc limit $3`
          : `select es.idx, es.prev_idx, e.block_number, e.tx_hash, e.log_index, e.kind, e.leaf, e.leaf_hash
             from entry_streams es join entries e on e.idx = es.idx
             where es.stream_id = $1 and es.idx > $2 and es.idx < $3 order by es.idx limit $4`,
        order === "desc" ? [streamBytes, after ?? at.treeSize, limit] : [streamBytes, after ?? -1n, at.treeSize, limit],
      );
      warmTreeCache(store, snapshot.logSize, request.log);
      const { proofs } = await checkedProofs(store, request.log, {
        indexes: rows.map((r) => r.idx),
        size: at.treeSize,
        root: at.root,
      });
      const items = rows.map((row) => {
        const proof = proofs.get(row.idx);
        if (!proof) throw new Error(`no proof computed for entry ${row.idx}`);
        return {
          ...entryView(row, proof, at),
          prevIndex: row.prev_idx === null ? null : row.prev_idx.toString(),
        };
      });

      const last = rows.at(-1);
      const more = last !== undefined && (order === "desc" ? last.prev_idx !== null : last.idx !== head.lastIndex);
      return {
        stream,
        order,
        head: {
          count: head.count.toString(),
          lastIndex: head.lastIndex.toString(),
          lastLeafHash16: bytesToHex(head.lastLeafHash.subarray(0, 16)),
          blockNumber: at.blockNumber.toString(),
          treeSize: at.treeSize.toString(),
          root: at.root,
        },
        items,
        nextCursor:
          more && last
            ? encodeCursor({
                v: 1,
                s: at.treeSize.toString(),
                a: last.idx.toString(),
                o: order === "desc" ? "d" : "a",
                t: stream.slice(2, 18),
              } satisfies HistoryCursor)
            : null,
        ledger: await app.shanji.ledgerMeta(snapshot),
      };
    },
  );

  /** The stream's head among the first `size` entries: as the chain's streamHead(id) returned it then. */
  async function streamHead(
    id: Uint8Array,
    size: bigint,
  ): Promise<{ count: bigint; lastIndex: bigint; lastLeafHash: Uint8Array } | undefined> {
    const { store } = app.shanji;
    const [current] = await store.query<{ count: bigint; last_idx: bigint; leaf_hash: Uint8Array }>(
      "select s.count, s.last_idx, e.leaf_hash from streams s join entries e on e.idx = s.last_idx where s.stream_id = $1",
      [id],
    );
    if (!current) return undefined;
    // The usual case: the stream has no entry beyond the size (the stored head is the head then).
    if (current.last_idx < size) {
      return { count: current.count, lastIndex: current.last_idx, lastLeafHash: current.leaf_hash };
    }
    const [past] = await store.query<{ count: bigint; last_idx: bigint | null; leaf_hash: Uint8Array | null }>(
      `select h.count, h.last_idx, e.leaf_hash
       from (select count(*) as count, max(idx) as last_idx from entry_streams where stream_id = $1 and idx < $2) as h
       left join entries e on e.idx = h.last_idx`,
      [id, size],
    );
    if (!past || past.count === 0n || past.last_idx === null || past.leaf_hash === null) return undefined;
    return { count: past.count, lastIndex: past.last_idx, lastLeafHash: past.leaf_hash };
  }
};
