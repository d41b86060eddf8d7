/**
 * The transparency portal (@shanji/web) at `/`: its built files from packages/web/dist (or the
 * folder in SHANJI_PORTAL_DIR), with index.html for each of the portal's own paths so that links to
 * any page open directly. Content-hashed files under /assets are cached for a year (immutable), and
 * served pre-compressed (brotli, gzip) when the browser accepts it; index.html is never cached, so a
 * new build shows at once. The API's paths (/v1, /docs, /openapi.json, /health) are not the portal's:
 * an unknown one stays a problem+json 404.
 *
 * Without a build, the portal's paths answer 503 with a page saying how to build it.
 */
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { TypeBoxTypeProvider } from "@fastify/type-provider-typebox";
import type { FastifyPluginAsync, FastifyReply } from "fastify";
import { Type } from "typebox";

const DEFAULT_DIST = fileURLToPath(new URL("../../../web/dist", import.meta.url));

/** The portal's pages (the client-side router's paths): each answers index.html. */
export const PORTAL_PAGES = [
  "/",
  "/donations",
  "/volunteers",
  "/verify",
  "/regulator",
  "/certificate",
  "/campaigns/:id",
  "/orgs/:id",
] as const;

/** Files at the top of dist/ that the portal links to. */
const ROOT_FILES = ["/favicon.svg"] as const;

/**
 * The portal reads from any RPC node the reader names (Verify compares the root there): its page
 * allows connections beyond this origin, which the API's default policy does not.
 */
const PORTAL_CSP = [
  "default-src 'self'",
  "base-uri 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self' https: http://127.0.0.1:* http://localhost:*",
  "font-src 'self'",
  "object-src 'none'",
  "frame-ancestors 'self'",
  "form-action 'self'",
].join("; ");

const NOT_BUILT = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>善迹门户尚未构建 · Portal not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6">
<h1>善迹门户尚未构建</h1>
<p>请在仓库根目录运行 <code>npm run build:web</code>，然后刷新本页（<code>npm start</code> 会自动构建）。</p>
<h2 lang="en">The portal is not built</h2>
<p lang="en">Run <code>npm run build:web</code> in the repository, then reload this page (<code>npm start</code> builds it for you).
The API itself works: see <a href="/docs">/docs</a>.</p>
</body></html>
`;

export const portal: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const dist = resolve(process.env.SHANJI_PORTAL_DIR || DEFAULT_DIST);
  const assets = join(dist, "assets");
  await app.register(fastifyStatic, { root: dist, serve: false, preCompressed: true, suppressWarning: true });

  /** index.html is read on each request (a few hundred bytes), so that a rebuild shows without a restart. */
  const sendIndex = async (reply: FastifyReply) => {
    const html = await readFile(join(dist, "index.html"), "utf8").catch(() => undefined);
    reply.header("cache-control", "no-cache");
    if (html === undefined)
      return reply.code(503).header("retry-after", "30").type("text/html; charset=utf-8").send(NOT_BUILT);
    return reply.header("content-security-policy", PORTAL_CSP).type("text/html; charset=utf-8").send(html);
  };

  // The portal's pages take their own query parameters (?receipt=, ?lang=, …): any are accepted here.
  const anyQuery = Type.Object({}, { additionalProperties: Type.String() });
  for (const url of PORTAL_PAGES) {
    app.get(url, { schema: { hide: true, querystring: anyQuery } }, (_request, reply) => sendIndex(reply));
  }
  app.get("/assets/*", { schema: { hide: true, params: Type.Object({ "*": Type.String() }) } }, (request, reply) =>
    reply.sendFile(request.params["*"], assets, { immutable: true, maxAge: "365d" }),
  );
  for (const url of ROOT_FILES) {
    app.get(url, { schema: { hide: true } }, (_request, reply) => reply.sendFile(url.slice(1), dist, { maxAge: "1d" }));
  }
};
