/**
 * The portal's files as the API serves them: index.html for each portal path (with the portal's own
 * security policy, never cached), hashed assets cached for a year and pre-compressed, the API's own
 * paths untouched (an unknown one is a problem+json 404), and a clear 503 when nothing is built.
 *
 * No ledger is needed to serve files, so the app gets a store that fails if anything queries it.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Store } from "@shanji/indexer";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createApp, type ShanjiApp } from "../app.ts";

const unusedStore = new Proxy({} as Store, {
  get(_target, name) {
    if (name === "then") return undefined;
    return () => {
      throw new Error(`the portal must not use the store (${String(name)})`);
    };
  },
});

const deployment = {
  chainId: 31337,
  deployBlock: "1",
  addresses: {
    log: "0x0000000000000000000000000000000000000001",
    registry: "0x0000000000000000000000000000000000000002",
    charityLedger: "0x0000000000000000000000000000000000000003",
    volunteerCredit: "0x0000000000000000000000000000000000000004",
  },
} as const;

const INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-abc123.js"></script></head></html>';
const SCRIPT = `console.log(${JSON.stringify("善迹".repeat(400))});`;

async function appServing(dir: string): Promise<ShanjiApp> {
  const previous = process.env.SHANJI_PORTAL_DIR;
  process.env.SHANJI_PORTAL_DIR = dir;
  try {
    const app = await createApp({ store: unusedStore, deployment, dataDir: dir, rateLimit: false });
    await app.ready();
    return app;
  } finally {
    if (previous === undefined) delete process.env.SHANJI_PORTAL_DIR;
    else process.env.SHANJI_PORTAL_DIR = previous;
  }
}

describe("portal", () => {
  let dir: string;
  let app: ShanjiApp;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "shanji-portal-"));
    await mkdir(join(dir, "assets"));
    await writeFile(join(dir, "index.html"), INDEX);
    await writeFile(join(dir, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
    await writeFile(join(dir, "assets", "index-abc123.js"), SCRIPT);
    await writeFile(join(dir, "assets", "index-abc123.js.gz"), gzipSync(SCRIPT));
    app = await appServing(dir);
  });
  afterAll(async () => {
    await app?.close();
    await rm(dir, { recursive: true, force: true });
  });

  test.each([
    "/",
    "/verify?index=12&tamper=leaf",
    "/donations?receipt=0xabc&lang=en",
    "/campaigns/3",
    "/orgs/5",
    "/volunteers",
    "/regulator",
    "/certificate?index=1",
  ])("behavior: %s answers the portal's index.html, not cached", async (url) => {
    const response = await app.inject({ method: "GET", url });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
    expect(response.headers["cache-control"]).toBe("no-cache");
    expect(response.body).toBe(INDEX);
    const csp = String(response.headers["content-security-policy"]);
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-eval");
    expect(csp).toMatch(/connect-src 'self' https:/);
  });

  test("behavior: hashed assets are immutable for a year, gzip when accepted", async () => {
    const plain = await app.inject({ method: "GET", url: "/assets/index-abc123.js" });
    expect(plain.statusCode).toBe(200);
    expect(plain.headers["content-type"]).toMatch(/javascript/);
    expect(plain.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(plain.body).toBe(SCRIPT);
    const gz = await app.inject({
      method: "GET",
      url: "/assets/index-abc123.js",
      headers: { "accept-encoding": "gzip" },
    });
    expect(gz.statusCode).toBe(200);
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.rawPayload.length).toBeLessThan(Buffer.byteLength(SCRIPT));
  });

  test("behavior: files at the top of the build are served", async () => {
    const response = await app.inject({ method: "GET", url: "/favicon.svg" });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/image\/svg\+xml/);
  });

  test.each([
    "/v1/nothing-here",
    "/health/nothing",
    "/docs-nope",
    "/assets/missing-file.js",
    "/no-such-page",
    "/campaigns",
  ])("error: %s is a problem+json 404, not the portal", async (url) => {
    const response = await app.inject({ method: "GET", url });
    expect(response.statusCode).toBe(404);
    expect(response.headers["content-type"]).toMatch(/^application\/problem\+json/);
  });

  test("error: a path out of the assets folder is refused", async () => {
    const response = await app.inject({ method: "GET", url: "/assets/..%2findex.html" });
    expect([403, 404]).toContain(response.statusCode);
    expect(response.body).not.toBe(INDEX);
  });

  test("behavior: the API's own documents still answer", async () => {
    const response = await app.inject({ method: "GET", url: "/openapi.json" });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys((response.json() as { paths: Record<string, unknown> }).paths);
    expect(paths.some((p) => p.startsWith("/assets") || p === "/")).toBe(false);
  });

  test("error: without a build, the portal's paths answer 503 saying how to build it", async () => {
    const empty = await mkdtemp(join(tmpdir(), "shanji-portal-empty-"));
    const bare = await appServing(join(empty, "dist"));
    try {
      const response = await bare.inject({ method: "GET", url: "/" });
      expect(response.statusCode).toBe(503);
      expect(response.headers["content-type"]).toBe("text/html; charset=utf-8");
      expect(response.body).toContain("npm run build:web");
      const asset = await bare.inject({ method: "GET", url: "/assets/index-abc123.js" });
      expect(asset.statusCode).toBe(404);
      const health = await bare.inject({ method: "GET", url: "/health/live" });
      expect(health.statusCode).toBe(200);
    } finally {
      await bare.close();
      await rm(empty, { recursive: true, force: true });
    }
  });
});
