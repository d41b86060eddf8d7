#!/usr/bin/env node
// The `shanji` command. The CLI is TypeScript that Node runs directly (type stripping, Node >= 22.18
// without a flag); on an older Node 22 this re-runs itself with --experimental-strip-types.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));

if (process.features.typescript) {
  // Node's one-time "Type Stripping is an experimental feature" warning is not for our users.
  const emit = process.emitWarning;
  process.emitWarning = (warning, ...rest) => {
    const text = typeof warning === "string" ? warning : warning?.message;
    if (/Type Stripping|strip-types/i.test(String(text))) return;
    return emit.call(process, warning, ...rest);
  };
  await import(main);
} else {
  const result = spawnSync(
    process.execPath,
    ["--experimental-strip-types", "--no-warnings=ExperimentalWarning", main, ...process.argv.slice(2)],
    { stdio: "inherit" },
  );
  process.exit(result.status ?? 1);
}
