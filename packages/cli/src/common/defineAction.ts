/**
 * Wraps a command's action: reads the global options, makes the output, runs the action and turns
 * what it throws into a message and an exit code. Actions return their exit code (0 by default).
 */
import type { Command } from "commander";
import { CliError, type ExitCode, exitCode } from "./cliError.ts";
import { type GlobalOptions, globalOptions } from "./globalOptions.ts";
import { createOutput, type Output } from "./output.ts";

export type ActionContext = { options: GlobalOptions; out: Output; command: Command };

/** The exit code of the last action run (the program reads it after parseAsync). */
export const lastExit: { code: ExitCode } = { code: exitCode.ok };

/** Where actions write (process.stdout and process.stderr unless runCli is given others). */
export const io: { stdout?: NodeJS.WritableStream | undefined; stderr?: NodeJS.WritableStream | undefined } = {};

export function defineAction<A extends unknown[]>(
  run: (context: ActionContext, ...args: A) => Promise<ExitCode | undefined> | Promise<void>,
): (...args: unknown[]) => Promise<void> {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    const options = globalOptions(command.optsWithGlobals());
    const out = createOutput({
      json: options.json,
      quiet: options.quiet,
      ...(io.stdout ? { stdout: io.stdout } : {}),
      ...(io.stderr ? { stderr: io.stderr } : {}),
    });
    try {
      const code = await run({ options, out, command }, ...(args.slice(0, -2) as A));
      lastExit.code = code ?? exitCode.ok;
    } catch (error) {
      if (error instanceof CliError) {
        out.error(error);
        lastExit.code = error.exitCode;
      } else {
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        out.error(
          new CliError("unexpected error (a bug in shanji; please report it with the details below)", {
            exitCode: exitCode.internal,
            details: message,
          }),
        );
        lastExit.code = exitCode.internal;
      }
    }
  };
}

/** The command's own options (not the global ones). */
export function ownOptions<T>(command: Command): T {
  return command.opts() as T;
}
