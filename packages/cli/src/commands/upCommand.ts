/**
 * `shanji up`: the same as the README's start command (`npm start` in the repository): a local
 * chain with the contracts and the demo data, and the indexer. It runs that very script, so the
 * two never drift apart; Ctrl-C reaches it as it would `npm start`.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command } from "commander";
import { CliError, exitCode } from "../common/cliError.ts";
import { defineAction } from "../common/defineAction.ts";

const REPOSITORY = fileURLToPath(new URL("../../../../", import.meta.url));

export function upCommand(): Command {
  return new Command("up")
    .description("run the whole ledger on this machine, as `npm start` does (chain, contracts, demo data, indexer)")
    .addHelpText(
      "after",
      "\nSettings are npm start's: SHANJI_RPC_URL, SHANJI_DATA_DIR, SHANJI_DEMO=0, SHANJI_EXIT=1 (see README).\n\nExample:\n  $ npx shanji up",
    )
    .action(
      defineAction(async ({ command }) => {
        if (!existsSync(`${REPOSITORY}scripts/start.ts`)) {
          throw new CliError(
            "`shanji up` runs from a checkout of the Shanji repository (scripts/start.ts is not here)",
            { exitCode: exitCode.usage },
          );
        }
        const rpc = command.optsWithGlobals().rpc as string | undefined;
        const child = spawn(process.platform === "win32" ? "npm.cmd" : "npm", ["start"], {
          cwd: REPOSITORY,
          stdio: "inherit",
          env: { ...process.env, ...(rpc ? { SHANJI_RPC_URL: rpc } : {}) },
        });
        // The terminal's Ctrl-C reaches the child too; this process only waits for it to finish.
        const ignore = () => {};
        for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, ignore);
        const code = await new Promise<number>((resolve) =>
          child.on("exit", (c, s) => resolve(c ?? (s === "SIGINT" ? 130 : 1))),
        );
        for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(signal, ignore);
        return code as never;
      }),
    );
}
