/**
 * Portal benchmark: `npm run bench:web`. Builds the portal, then measures
 *
 * - the JavaScript the home page ships, gzipped: both the files its entry imports statically (from
 *   Vite's manifest) and the files headless Chromium actually fetched to render it, with the ECharts
 *   chunk (loaded only by pages with charts) reported apart. Target: <= 250 KB gzipped without it;
 * - the time to a rendered campaign page in headless Chromium: from navigation start until the
 *   campaign's name, balance and Sankey chart are on screen (the chart drawn), cold cache (a new
 *   browser context each run) and warm (the same context again), against the real stack with the
 *   demo data set (the web tests' setup: demo chain on anvil, PGlite, the API serving the build).
 *
 * Writes bench/results/web.json. Needs Chromium at /usr/bin/chromium.
 *
 *   BENCH_RUNS=7   page loads per measurement; the median counts
 */
import { existsSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { cpus, loadavg } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { chromium } from "playwright-core";
import { build } from "vite";
import setupStack, { CHROMIUM, type WebStack } from "../packages/web/e2e/globalSetup.ts";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const WEB = join(ROOT, "packages", "web");
const DIST = join(WEB, "dist");
const RUNS = Number(process.env.BENCH_RUNS || 7);
const TARGET_KB = 250;

type ManifestChunk = { file: string; imports?: string[]; dynamicImports?: string[]; css?: string[]; isEntry?: boolean };

const kb = (bytes: number) => Math.round((bytes / 1024) * 10) / 10;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] as number;
};

async function gzipSize(file: string): Promise<number> {
  return gzipSync(await readFile(join(DIST, file)), { level: 9 }).length;
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium not found at ${CHROMIUM}: the portal benchmark needs it`);
  const started = Date.now();
  console.log("building the portal ...");
  await build({ configFile: join(WEB, "vite.config.ts"), logLevel: "warn" });

  // What the entry imports statically: loaded by every page, the home page included.
  const manifest = JSON.parse(await readFile(join(DIST, ".vite", "manifest.json"), "utf8")) as Record<
    string,
    ManifestChunk
  >;
  const entryKey = Object.keys(manifest).find((key) => manifest[key]?.isEntry) as string;
  const staticFiles = new Set<string>();
  const visit = (key: string) => {
    const chunk = manifest[key];
    if (!chunk || staticFiles.has(chunk.file)) return;
    staticFiles.add(chunk.file);
    for (const imported of chunk.imports ?? []) visit(imported);
  };
  visit(entryKey);
  const echartsFiles = Object.values(manifest)
    .map((c) => c.file)
    .filter((f) => f.includes("echarts"));
  let staticGzip = 0;
  for (const file of staticFiles) staticGzip += await gzipSize(file);

  console.log("starting the stack (demo chain, indexer, API) ...");
  let stack: WebStack | null = null;
  const teardown = await setupStack({
    provide: (_key: string, value: WebStack | null) => {
      stack = value;
    },
  } as never);
  if (!stack) throw new Error("the stack did not start");
  const { baseUrl, campaigns } = stack as WebStack;
  const campaign = campaigns[0] as WebStack["campaigns"][number];

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
  try {
    // The home page as the browser loads it: every script it fetched.
    const home = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true });
    const page = await home.newPage();
    const fetched = new Set<string>();
    page.on("response", (response) => {
      const path = new URL(response.url()).pathname;
      if (path.startsWith("/assets/") && path.endsWith(".js")) fetched.add(path.slice(1));
    });
    await page.goto(`${baseUrl}/`);
    await page.locator('[data-testid="latest-entries"] > li').first().waitFor();
    await page.waitForLoadState("networkidle");
    let homeGzip = 0;
    for (const file of fetched) homeGzip += await gzipSize(file);
    const homeLoadsEcharts = [...fetched].some((f) => f.includes("echarts"));
    await home.close();

    // Time to a rendered campaign page.
    const measure = async (target: Awaited<ReturnType<typeof browser.newContext>>) => {
      const p = await target.newPage();
      await p.goto(`${baseUrl}/campaigns/${campaign.campaignId}`);
      await p.getByTestId("campaign-title").filter({ hasText: campaign.title }).waitFor();
      await p.getByTestId("campaign-balance").waitFor();
      await p.locator('[data-testid="flow-chart"][data-state="ready"] canvas').waitFor();
      // Two frames: the chart's first paint has happened.
      const ms = await p.evaluate(
        () =>
          new Promise<number>((done) =>
            requestAnimationFrame(() => requestAnimationFrame(() => done(performance.now()))),
          ),
      );
      await p.close();
      return ms;
    };
    const cold: number[] = [];
    const warm: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      cold.push(await measure(context));
      warm.push(await measure(context));
      await context.close();
    }
    const echartsGzip = (await Promise.all(echartsFiles.map(gzipSize))).reduce((a, b) => a + b, 0);
    const results = {
      date: new Date().toISOString(),
      machine: {
        cpus: cpus().length,
        model: cpus()[0]?.model ?? "?",
        loadavg: loadavg().map((l) => Math.round(l * 10) / 10),
      },
      homeJavaScript: {
        gzipKB: kb(homeGzip),
        targetKB: TARGET_KB,
        met: homeGzip / 1024 <= TARGET_KB && !homeLoadsEcharts,
        files: [...fetched].sort(),
        loadsECharts: homeLoadsEcharts,
        staticImportsOfEntryGzipKB: kb(staticGzip),
      },
      echartsChunkGzipKB: kb(echartsGzip),
      campaignPage: {
        what: "navigation start to the campaign's name, balance and Sankey chart drawn, headless Chromium, 1280x900",
        campaignId: campaign.campaignId,
        runs: RUNS,
        coldMedianMs: Math.round(median(cold)),
        coldMs: cold.map(Math.round),
        warmMedianMs: Math.round(median(warm)),
        warmMs: warm.map(Math.round),
      },
    };
    await writeFile(join(ROOT, "bench", "results", "web.json"), `${JSON.stringify(results, null, 2)}\n`);
    console.log(JSON.stringify(results, null, 2));
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s; written to bench/results/web.json`);
  } finally {
    await browser.close();
    await (teardown as () => Promise<void>)();
  }
}

await main();
