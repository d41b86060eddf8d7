/**
 * Evidence files: `POST /v1/evidence` stores a file uploaded by an organisation's operator, and
 * `GET /v1/evidence/:sha256` serves it — public files to everyone, restricted ones (files that may
 * name people) only to signed requests of regulators' operators.
 *
 * A signed request carries X-Shanji-Timestamp, X-Shanji-Nonce and X-Shanji-Signature (and, for a
 * read, X-Shanji-Org): an EIP-712 signature (see ../evidence/signedRequest.ts) by an operator key of
 * the organisation, in a domain that names this deployment's chain and Registry. Answers:
 * - 400: a header or parameter is missing or malformed (the error names it), the body is empty, or
 *   `?sha256=` does not match the body;
 * - 401: the request does not prove that it comes from an operator of the organisation — expired or
 *   future timestamp, a signature over other values or in another domain (another deployment's, or
 *   version 1), an unknown, other organisation's or revoked key
 *   (revocations count once indexed; at once when the app has a chain client);
 * - 403: it does, but the organisation is suspended, or is not a regulator and the file is restricted;
 * - 409: the nonce was used before (a replay, or a retry that must be signed again);
 * - 413: the file is larger than the limit (10 MiB by default); 415: its type is not allowed;
 * - 404: no such file, or a restricted one asked for without a signature: the two answers are the
 *   same, so that nobody learns which restricted files are stored.
 */

import type { Readable } from "node:stream";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import { orgKind } from "@shanji/core";
import type { FastifyPluginAsync } from "fastify";
import { Type } from "typebox";
import { type Hex, isHex } from "viem";
import { type CheckOperatorReturnType, createOperatorCheck } from "../evidence/checkOperator.ts";
import { createEvidenceStore, type EvidenceMetadata, sha256Hex } from "../evidence/createEvidenceStore.ts";
import { createNonceLedger } from "../evidence/createNonceLedger.ts";
import {
  checkTimestamp,
  describeEvidenceDomain,
  orgHeaderSchema,
  recoverEvidenceSigner,
  SIGNED_HEADERS,
  signedHeaderSchemas,
} from "../evidence/signedRequest.ts";
import { ApiError, badRequest, Problem, problemResponses } from "../problem.ts";
import { Decimal } from "../schemas.ts";

const MAX_U64 = 2n ** 64n - 1n;

const EvidenceStored = Type.Object(
  {
    sha256: Type.String({ pattern: "^0x[0-9a-f]{64}$", description: "SHA-256 of the file: its address here." }),
    size: Type.Integer({ minimum: 1, description: "Bytes." }),
    contentType: Type.String({ description: "The media type the file is served with." }),
    restricted: Type.Boolean({ description: "Served only to signed requests of regulators' operators." }),
  },
  { additionalProperties: false },
);

const signedResponses = {
  ...problemResponses,
  401: Problem,
  403: Problem,
  409: Problem,
} as const;

/** Media types a browser may show in place; anything else is offered as a download. */
const INLINE_TYPES = new Set(["application/pdf", "image/jpeg", "image/png", "image/webp"]);
const EXTENSIONS: Record<string, string> = {
  "application/pdf": "pdf",
  "image/jpeg": "jpg",
  "image/png": "png",
  "image/webp": "webp",
  "text/plain": "txt",
  "text/csv": "csv",
  "application/json": "json",
};

export const evidence: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const settings = app.evidenceSettings;
  const { store, deployment } = app.shanji;
  const files = createEvidenceStore(settings.dir);
  const nonces = createNonceLedger(store);
  const { chainId } = deployment;
  const { registry } = deployment.addresses;
  const checkOperator = createOperatorCheck({
    store,
    registry,
    chain: settings.chain,
    logger: app.log,
    domain: describeEvidenceDomain(chainId, registry),
  });
  const allowed = [...settings.contentTypes].join(", ");

  // In this plugin only: every body is the raw bytes of a file (JSON and text included), up to the limit.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: settings.maxBytes }, (_request, body, done) =>
    done(null, body),
  );

  app.post(
    "/v1/evidence",
    {
      bodyLimit: settings.maxBytes,
      schema: {
        tags: ["evidence"],
        summary: "Upload an evidence file (signed by an operator of the organisation)",
        description:
          "The body is the file's bytes; Content-Type its media type (allowed: " +
          `${allowed}; at most ${settings.maxBytes} bytes). The request is signed with EIP-712 in the ` +
          'domain { name: "Shanji API", version: "2", chainId, verifyingContract: the deployment\'s Registry } ' +
          "(so that a signature is good at this deployment only), primary type EvidenceUpload " +
          "{ orgId uint64, sha256 bytes32, contentType string, restricted bool, timestamp uint64, nonce bytes32 }, " +
          "where sha256 is the body's SHA-256 and contentType the Content-Type header exactly as sent. " +
          "The signer must be an operator key of organisation `org` (as indexed; revocations count once " +
          "indexed), the organisation not suspended, the timestamp within ±300 s of the server's clock, the " +
          "nonce never used before. The first upload of a file decides its type and restriction: uploading " +
          "the same bytes again answers 200 with what is stored.",
        querystring: Type.Object(
          {
            org: Decimal("The organisation whose operator signs the upload."),
            restricted: Type.Boolean({
              description: "true: only regulators may read it (files that name people); false: public.",
            }),
            sha256: Type.Optional(
              Type.String({
                pattern: "^0x[0-9a-fA-F]{64}$",
                description: "The SHA-256 the client computed: a mismatch with the body is a 400.",
              }),
            ),
          },
          { additionalProperties: false },
        ),
        headers: Type.Object({
          "content-type": Type.Optional(Type.String({ description: "The file's media type." })),
          ...signedHeaderSchemas,
        }),
        response: {
          200: EvidenceStored,
          201: EvidenceStored,
          ...signedResponses,
          413: Problem,
          415: Problem,
        },
      },
      // Before the body is read: a type that is not allowed is refused without receiving the file.
      onRequest: async (request) => {
        const header = request.headers["content-type"];
        const type = mediaType(header);
        if (!type || !settings.contentTypes.has(type)) {
          const reason = header
            ? `${JSON.stringify(header)} is not an allowed type; allowed: ${allowed}`
            : `is required: the file's media type, one of ${allowed}`;
          throw new ApiError(415, `header content-type ${reason}`, {
            errors: [{ field: "headers.content-type", reason }],
          });
        }
      },
    },
    async (request, reply) => {
      const body = request.body as Uint8Array | undefined;
      if (!body || body.length === 0) throw badRequest("body", "is empty: send the file's bytes");
      const sha256 = sha256Hex(body);
      const { query, headers } = request;
      if (query.sha256 !== undefined && query.sha256.toLowerCase() !== sha256)
        throw badRequest("querystring.sha256", `does not match the body, whose SHA-256 is ${sha256}`);
      const orgId = parseU64(query.org, "querystring.org");
      const signed = readSignedHeaders(headers);
      const now = Date.now() / 1000;
      checkTimestamp(signed.timestamp, now);
      const contentType = headers["content-type"] ?? "";
      const signer = await recoverEvidenceSigner({
        chainId,
        registry,
        signature: signed.signature,
        primaryType: "EvidenceUpload",
        message: {
          orgId,
          sha256,
          contentType,
          restricted: query.restricted,
          timestamp: signed.timestamp,
          nonce: signed.nonce,
        },
      });
      await checkOperator({
        signer,
        orgId,
        orgField: "querystring.org",
        signatureField: `headers.${SIGNED_HEADERS.signature}`,
      });
      if (!(await nonces.claim({ nonce: signed.nonce, signer, timestamp: signed.timestamp, now }))) throw replayed();
      const { metadata, created } = await files.put(body, {
        contentType: storedType(contentType),
        restricted: query.restricted,
        orgId,
        uploader: signer,
        sha256,
      });
      request.log.info(
        { sha256, orgId: orgId.toString(), signer, restricted: metadata.restricted, created },
        "evidence stored",
      );
      if (created) reply.header("location", `/v1/evidence/${sha256}`);
      return reply.code(created ? 201 : 200).send(stored(metadata));
    },
  );

  app.route({
    method: ["GET", "HEAD"],
    url: "/v1/evidence/:sha256",
    schema: {
      tags: ["evidence"],
      summary: "An evidence file: public ones to everyone, restricted ones to regulators' signed requests",
      description:
        "Served with its stored media type, a strong ETag (its SHA-256), X-Content-Type-Options: nosniff, " +
        "and Content-Disposition: attachment except for images and PDF. Public files are cached forever " +
        "(they cannot change); restricted ones never. A restricted file needs X-Shanji-Org, X-Shanji-Timestamp, " +
        "X-Shanji-Nonce and X-Shanji-Signature: EIP-712 in the domain " +
        '{ name: "Shanji API", version: "2", chainId, verifyingContract: the deployment\'s Registry }, ' +
        "primary type EvidenceRead " +
        "{ orgId uint64, sha256 bytes32, timestamp uint64, nonce bytes32 }, signed by an operator of a " +
        "regulator organisation that is not suspended. Without them a restricted file is a 404, like a " +
        "file that is not stored.",
      params: Type.Object(
        {
          sha256: Type.String({
            pattern: "^(0x)?[0-9a-fA-F]{64}$",
            description: "SHA-256 of the file, hex (0x optional).",
          }),
        },
        { additionalProperties: false },
      ),
      headers: Type.Object({
        [SIGNED_HEADERS.org]: Type.Optional(orgHeaderSchema),
        [SIGNED_HEADERS.timestamp]: Type.Optional(signedHeaderSchemas[SIGNED_HEADERS.timestamp]),
        [SIGNED_HEADERS.nonce]: Type.Optional(signedHeaderSchemas[SIGNED_HEADERS.nonce]),
        [SIGNED_HEADERS.signature]: Type.Optional(signedHeaderSchemas[SIGNED_HEADERS.signature]),
        "if-none-match": Type.Optional(Type.String({ description: "ETags the client holds (public files)." })),
      }),
      response: {
        // A stream of the file (nothing for HEAD): no JSON serialization applies.
        200: Type.Unsafe<Readable | undefined>({
          type: "string",
          format: "binary",
          description: "The file's bytes, with its stored media type.",
        }),
        304: Type.Unsafe<undefined>({ description: "Not modified: the client's ETag is the file's (public files)." }),
        ...signedResponses,
      },
    },
    handler: async (request, reply) => {
      const sha256 = `0x${request.params.sha256.replace(/^0x/, "").toLowerCase()}` as Hex;
      const { headers } = request;
      const names = [SIGNED_HEADERS.org, SIGNED_HEADERS.timestamp, SIGNED_HEADERS.nonce, SIGNED_HEADERS.signature];
      let reader: CheckOperatorReturnType | undefined;
      if (names.some((name) => headers[name] !== undefined)) {
        const missing = names.filter((name) => headers[name] === undefined);
        if (missing.length > 0) {
          const reason = "is required in a signed request, with the other X-Shanji headers";
          throw new ApiError(400, missing.map((name) => `headers.${name} ${reason}`).join("; "), {
            errors: missing.map((name) => ({ field: `headers.${name}`, reason })),
          });
        }
        const orgId = parseU64(headers[SIGNED_HEADERS.org] as string, `headers.${SIGNED_HEADERS.org}`);
        const signed = readSignedHeaders(headers as Record<string, string>);
        const now = Date.now() / 1000;
        checkTimestamp(signed.timestamp, now);
        const signer = await recoverEvidenceSigner({
          chainId,
          registry,
          signature: signed.signature,
          primaryType: "EvidenceRead",
          message: { orgId, sha256, timestamp: signed.timestamp, nonce: signed.nonce },
        });
        reader = await checkOperator({
          signer,
          orgId,
          orgField: `headers.${SIGNED_HEADERS.org}`,
          signatureField: `headers.${SIGNED_HEADERS.signature}`,
        });
        if (!(await nonces.claim({ nonce: signed.nonce, signer, timestamp: signed.timestamp, now }))) throw replayed();
      }

      const file = await files.get(sha256);
      if (!file || (file.metadata.restricted && !reader))
        throw new ApiError(
          404,
          `no public evidence file ${sha256} is stored here (restricted files are served only to regulators' signed requests)`,
        );
      const { metadata } = file;
      if (metadata.restricted && reader && reader.orgKind !== orgKind.regulator) {
        throw new ApiError(
          403,
          `evidence ${sha256} is restricted to regulators, and organisation ${reader.orgId} is not a regulator`,
          { errors: [{ field: `headers.${SIGNED_HEADERS.org}`, reason: "is not a regulator organisation" }] },
        );
      }
      if (metadata.restricted)
        request.log.info({ sha256, orgId: reader?.orgId.toString() }, "restricted evidence read");

      const type = mediaType(metadata.contentType) ?? "application/octet-stream";
      const etag = `"${sha256}"`;
      reply.header("etag", etag);
      reply.header("x-content-type-options", "nosniff");
      reply.header("cache-control", metadata.restricted ? "private, no-store" : "public, max-age=31536000, immutable");
      if (!metadata.restricted && matches(headers["if-none-match"], etag)) return reply.code(304).send(undefined);

      reply.header("content-type", metadata.contentType);
      reply.header("content-length", String(metadata.size));
      const filename = `${sha256.slice(2)}.${EXTENSIONS[type] ?? "bin"}`;
      reply.header(
        "content-disposition",
        `${INLINE_TYPES.has(type) ? "inline" : "attachment"}; filename="${filename}"`,
      );
      // Uploaded content on the API's origin: nothing in it may run (browsers' PDF viewers need no sandbox to be safe).
      if (type !== "application/pdf")
        reply.header(
          "content-security-policy",
          "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox",
        );
      if (request.method === "HEAD") return reply.code(200).send(undefined);
      return reply.code(200).send(file.open());
    },
  });
};

/** The media type of a Content-Type value, lower case, without parameters. */
function mediaType(header: string | undefined): string | undefined {
  const type = header?.split(";")[0]?.trim().toLowerCase();
  return type ? type : undefined;
}

/** What is stored and served: the media type, and the charset of text if one was given. */
function storedType(header: string): string {
  const type = mediaType(header) ?? "application/octet-stream";
  const charset = /;\s*charset="?([A-Za-z0-9._-]+)"?/i.exec(header)?.[1];
  return charset && (type.startsWith("text/") || type === "application/json")
    ? `${type}; charset=${charset.toLowerCase()}`
    : type;
}

function stored(m: EvidenceMetadata) {
  return { sha256: m.sha256, size: m.size, contentType: m.contentType, restricted: m.restricted };
}

function parseU64(text: string, field: string): bigint {
  const value = BigInt(text);
  if (value > MAX_U64) throw badRequest(field, "must be below 2^64");
  return value;
}

/** The three signed-request headers, already checked for shape by the route's schema. */
function readSignedHeaders(headers: Record<string, string | string[] | undefined>) {
  const get = (name: string) => String(headers[name]);
  const nonce = get(SIGNED_HEADERS.nonce).toLowerCase();
  const signature = get(SIGNED_HEADERS.signature).toLowerCase();
  if (!isHex(nonce) || !isHex(signature)) throw new Error("signed headers were not validated");
  return { timestamp: BigInt(get(SIGNED_HEADERS.timestamp)), nonce, signature };
}

function replayed(): ApiError {
  const reason = "was used before: a replayed request, or a retry; sign the request again with a new nonce";
  return new ApiError(409, `header ${SIGNED_HEADERS.nonce} ${reason}`, {
    errors: [{ field: `headers.${SIGNED_HEADERS.nonce}`, reason }],
  });
}

/** If-None-Match against one strong ETag (RFC 9110 §13.1.2: weak comparison, `*` matches). */
function matches(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(",").some((tag) => {
    const t = tag.trim();
    return t === "*" || t === etag || t === `W/${etag}`;
  });
}
