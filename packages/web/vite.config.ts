/**
 * Builds the portal into dist/: index.html plus content-hashed files in dist/assets, each JS and
 * CSS file also gzip- and brotli-compressed beside it (the API serves those to browsers that accept
 * them: most donors open the portal on a phone, inside WeChat). `vite` alone serves it for
 * development, with /v1 proxied to an API started by `npm start`.
 */
import { readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";
import react from "@vitejs/plugin-react";
import { defineConfig, type Plugin } from "vite";

/**
 * Compressed copies of the scripts and styles, so that the server never compresses per request. Made
 * from the files as written: earlier hooks still see chunks that Vite rewrites afterwards (preload
 * markers).
 */
function precompress(): Plugin {
  let outDir = "";
  return {
    name: "shanji-precompress",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async writeBundle(_options, bundle) {
      for (const fileName of Object.keys(bundle)) {
        if (!/\.(js|css|svg)$/.test(fileName)) continue;
        const path = join(outDir, fileName);
        const bytes = await readFile(path);
        if (bytes.length < 1024) continue;
        await writeFile(`${path}.gz`, gzipSync(bytes, { level: 9 }));
        await writeFile(`${path}.br`, brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
      }
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  plugins: [react(), precompress()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WeChat's browsers: iOS WKWebView (Safari 15+) and Android's Chromium-based XWeb; BigInt everywhere.
    target: ["es2022", "safari15"],
    // The manifest tells the benchmark which files each page loads.
    manifest: true,
    // ECharts is one chunk loaded only by pages with charts; it is large by nature.
    chunkSizeWarningLimit: 800,
  },
  server: {
    proxy: { "/v1": "http://127.0.0.1:8787" },
  },
});
