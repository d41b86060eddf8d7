/**
 * The Fastify application: conventions every route shares (problem+json errors, strict query
 * validation, security headers, CORS, rate limits, OpenAPI 3.1 at /openapi.json with docs at
 * /docs, health and readiness), then the routes of ./routes.
 */
import cors from "@fastify/cors";
import helmet from "@fastify/helmet";
import rateLimit from "@fastify/rate-limit";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { Deployment, IndexerStatus, Store } from "@shanji/indexer";
import ajvFormats from "ajv-formats";
import type { RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from "fastify";
import Fastify, {
  type FastifyBaseLogger,
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyServerOptions,
} from "fastify";
import { Type } from "typebox";
import { type ApiContext, createContext } from "./context.ts";
import { createDomainRules, type DomainOptions } from "./domain/options.ts";
import { type EvidenceOptions, resolveEvidenceOptions } from "./evidence/evidenceOptions.ts";
import { ApiError, type FieldErrorType, Problem, titleOf } from "./problem.ts";
import { routes } from "./routes/index.ts";

export type ShanjiApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

declare module "fastify" {
  interface FastifyInstance {
    shanji: ApiContext;
  }
}

export type CreateAppParameters = {
  store: Store;
  deployment: Deployment;
  /** The chain's head block from an RPC, for the lag in every answer; answers say null without it. */
  chainHead?: () => Promise<bigint>;
  /** The data folder: evidence files live in `<dataDir>/evidence`. */
  dataDir: string;
  /** Requests per minute per client address (default 600); false turns the limit off (benchmarks). */
  rateLimit?: { max: number; timeWindowMs?: number } | false;
  /** Origins allowed by CORS (default: any, since the API is public and read-only for browsers). */
  corsOrigin?: string | string[] | true;
  /** Largest request body in bytes (default 10 MiB, the evidence limit). */
  bodyLimit?: number;
  /** Evidence files: their size limit (default 10 MiB), allowed types, an optional chain check of signers. */
  evidence?: EvidenceOptions;
  logger?: FastifyServerOptions["logger"];
  /** Behind a reverse proxy: take the client address from X-Forwarded-For (rate limits). */
  trustProxy?: boolean;
  /** How long a snapshot of the indexed ledger is reused, in ms (default 250). */
  snapshotTtlMs?: number;
  /** The indexer's own status, when it runs in the same process (GET /v1/status reports its state). */
  indexerStatus?: () => { state: IndexerStatus["state"] };
  /** Rules of the domain routes: management-cost policies, large-donation thresholds (domain/options.ts). */
  domain?: DomainOptions;
};

export async function createApp(parameters: CreateAppParameters): Promise<ShanjiApp> {
  const app = Fastify({
    logger: withoutSecrets(parameters.logger ?? false),
    bodyLimit: parameters.bodyLimit ?? 10 * 1024 * 1024,
    trustProxy: parameters.trustProxy ?? false,
    // Strings in paths can be long hex; the default 100 would cut a stream id.
    routerOptions: { maxParamLength: 200, ignoreTrailingSlash: true },
    ajv: {
      customOptions: {
        // Unknown query fields are an error, not silently dropped.
        removeAdditional: false,
        coerceTypes: "array",
        useDefaults: true,
        allErrors: true,
      },
      plugins: [ajvFormats as never],
    },
    return503OnClosing: true,
    // URLs refused before routing (malformed percent-encoding, a path parameter over maxParamLength)
    // are problems too, and do not echo the URL back.
    frameworkErrors: (error: FastifyError, _request: unknown, reply: FastifyReply) => {
      const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 400;
      const detail =
        error.code === "FST_ERR_MAX_PARAM_LENGTH"
          ? "a path parameter is longer than 200 characters"
          : error.code === "FST_ERR_BAD_URL"
            ? "the URL is not validly percent-encoded"
            : "the request could not be routed";
      void reply
        .code(status)
        .type("application/problem+json")
        .send({ type: "about:blank", title: titleOf(status), status, detail });
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate(
    "shanji",
    createContext({
      store: parameters.store,
      deployment: parameters.deployment,
      chainHead: parameters.chainHead,
      indexerStatus: parameters.indexerStatus,
      ...(parameters.snapshotTtlMs === undefined ? {} : { snapshotTtlMs: parameters.snapshotTtlMs }),
    }),
  );

  app.decorate("evidenceSettings", resolveEvidenceOptions(parameters.dataDir, parameters.evidence));
  app.decorate("shanjiRules", createDomainRules(parameters.domain, parameters.dataDir));

  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const problem = toProblem(error, request.id);
    if (problem.status >= 500) request.log.error({ err: error }, "request failed");
    if (error instanceof ApiError) reply.headers(error.headers);
    return reply.code(problem.status).type("application/problem+json").send(problem);
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .type("application/problem+json")
      .send({
        type: "about:blank",
        title: titleOf(404),
        status: 404,
        detail: `no route ${request.method} ${request.url.split("?")[0]}`,
      }),
  );

  // A route that takes no query parameters still refuses unknown ones. And any route may refuse a
  // request (an unknown query field, a path parameter too long, too many requests) or fail: its
  // documented responses say so even where its own schema does not.
  app.addHook("onRoute", (route) => {
    if (route.url.startsWith("/docs")) return;
    route.schema = { querystring: Type.Object({}, { additionalProperties: false }), ...route.schema };
    route.schema.response = {
      400: Problem,
      ...(route.url.includes(":") ? { 414: Problem } : {}),
      429: Problem,
      500: Problem,
      ...(route.schema.response as Record<string, unknown> | undefined),
    };
  });

  // Helmet's security headers, computed once: @fastify/helmet builds helmet's middleware again (and
  // parses the CSP) on every request, a tenth of the time of a proof's answer; these never change.
  const securityHeaders = await helmetHeaders({
    // The docs page and the portal load their own scripts and styles from this origin only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", "data:"],
      },
    },
    crossOriginResourcePolicy: { policy: "cross-origin" },
  });
  app.addHook("onRequest", (_request, reply, done) => {
    reply.headers(securityHeaders);
    done();
  });
  await app.register(cors, { origin: parameters.corsOrigin ?? true, methods: ["GET", "HEAD", "POST"], maxAge: 600 });
  if (parameters.rateLimit !== false) {
    await app.register(rateLimit, {
      max: parameters.rateLimit?.max ?? 600,
      timeWindow: parameters.rateLimit?.timeWindowMs ?? 60_000,
      errorResponseBuilder: (_request, context) =>
        new ApiError(429, `more than ${context.max} requests in ${context.after}: slow down`, {
          headers: { "retry-after": String(Math.ceil(context.ttl / 1000)) },
        }),
    });
  }
  await app.register(swagger, {
    openapi: {
      openapi: "3.1.0",
      info: {
        title: "Shanji API",
        version: "1",
        description:
          "The Shanji transparency ledger: donations, disbursements and volunteer credit, with proofs " +
          "that check against the chain's root() without trusting this server. Integers that can exceed " +
          "2^53 are decimal strings; bytes are lower-case 0x-hex; amounts are minor units.",
        license: { name: "Apache-2.0", identifier: "Apache-2.0" },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: "/docs", staticCSP: true });
  app.get("/openapi.json", { schema: { hide: true } }, () => app.swagger());

  for (const route of routes) await app.register(route);
  return app;
}

/** The headers @fastify/helmet sets with `options`, read once from a throwaway instance. */
async function helmetHeaders(options: Parameters<typeof helmet>[1]): Promise<Record<string, string>> {
  const probe = Fastify();
  await probe.register(helmet, options);
  probe.get("/", () => "");
  const res = await probe.inject("/");
  await probe.close();
  const own = new Set(["content-type", "content-length", "date", "connection", "keep-alive", "transfer-encoding"]);
  return Object.fromEntries(
    Object.entries(res.headers)
      .filter(([name, value]) => !own.has(name) && typeof value === "string")
      .map(([name, value]) => [name, value as string]),
  );
}

/** Any error as a problem: validation errors name each field; 5xx say nothing internal. */
function toProblem(error: FastifyError | ApiError, requestId: string) {
  if (error instanceof ApiError) {
    return {
      type: error.type,
      title: titleOf(error.status),
      status: error.status,
      detail: error.message,
      ...(error.status >= 500 ? { instance: requestId } : {}),
      ...(error.errors ? { errors: error.errors } : {}),
    };
  }
  if (error.validation) {
    const errors: FieldErrorType[] = error.validation.map((v) => {
      const params = v.params as Record<string, unknown>;
      const base = `${error.validationContext ?? "request"}${v.instancePath.replaceAll("/", ".")}`;
      if (typeof params.additionalProperty === "string")
        return { field: `${base}.${params.additionalProperty}`, reason: "is not a known field" };
      if (typeof params.missingProperty === "string")
        return { field: `${base}.${params.missingProperty}`, reason: "is required" };
      return { field: base, reason: v.message ?? "is invalid" };
    });
    return {
      type: "about:blank",
      title: titleOf(400),
      status: 400,
      detail: errors.map((e) => `${e.field} ${e.reason}`).join("; "),
      errors,
    };
  }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  if (status >= 500)
    return {
      type: "about:blank",
      title: titleOf(status),
      status,
      detail: "the server could not answer this request; quote the instance id if you report it",
      instance: requestId,
    };
  // Fastify's own 4xx (body too large, bad content type, malformed JSON): their messages are safe.
  return { type: "about:blank", title: titleOf(status), status, detail: error.message };
}

/**
 * The logger options with request URLs logged without their query: a query can carry a donor's
 * receipt code (`?receipt=`), a secret, and logs are kept for months (DOMAIN.md).
 */
function withoutSecrets(logger: FastifyServerOptions["logger"]): FastifyServerOptions["logger"] {
  if (!logger) return false;
  const options = logger === true ? {} : logger;
  return {
    ...options,
    serializers: {
      ...options.serializers,
      req: (request: { method: string; url: string; id: string; ip?: string }) => ({
        id: request.id,
        method: request.method,
        url: request.url.split("?")[0],
        ip: request.ip,
      }),
    },
  };
}
