/**
 * The `shanji` command: its global options and its subcommands. `runCli(argv)` parses, runs and
 * returns the exit code, so that tests can run the whole command in-process as well as in a child.
 */
import { Command, CommanderError, Option } from "commander";
import { activityCommand } from "./commands/activityCommand.ts";
import { campaignCommand } from "./commands/campaignCommand.ts";
import { exportCommand } from "./commands/exportCommand.ts";
import { importCommand } from "./commands/importCommand.ts";
import { keysCommand } from "./commands/keysCommand.ts";
import { orgCommand } from "./commands/orgCommand.ts";
import { upCommand } from "./commands/upCommand.ts";
import { verifyCommand } from "./commands/verifyCommand.ts";
import { exitCode } from "./common/cliError.ts";
import { io, lastExit } from "./common/defineAction.ts";
import { DEFAULT_API, DEFAULT_RPC } from "./common/globalOptions.ts";

export const EXIT_CODES_HELP = `
Exit codes:
  0    success (for verify: everything checked)
  1    verification failed: the ledger or an answer about it does not check
  2    wrong arguments or options
  3    invalid input (bad CSV rows: nothing was sent)
  4    the chain or the API could not be reached
  5    the chain refused a transaction
  6    key or passphrase problem
  7    another import is using the same receipt file
  130  interrupted (Ctrl-C) after the transactions in flight finished`;

export function createProgram(): Command {
  const program = new Command("shanji")
    .description(
      "Shanji (善迹): put an organisation's records on the ledger, and check the ledger without trusting anyone's server",
    )
    .version("0.1.0")
    .addOption(
      new Option(
        "--deployment <file>",
        "the deployment's addresses (default $SHANJI_DEPLOYMENT or .shanji/deployment.json)",
      ),
    )
    .addOption(new Option("--rpc <url>", `the chain's JSON-RPC (default $SHANJI_RPC_URL or ${DEFAULT_RPC})`))
    .addOption(new Option("--api <url>", `the Shanji API (default $SHANJI_API_URL or ${DEFAULT_API})`))
    .addOption(
      new Option("--keystore-dir <dir>", "the keystore folder (default $SHANJI_KEYSTORE_DIR or ~/.shanji/keys)"),
    )
    .addOption(
      new Option("--key <name>", "the key to sign with, by name or address (default $SHANJI_KEY, or the only key)"),
    )
    .option("--json", "print one JSON document on stdout, for scripts")
    .option("-q, --quiet", "no progress or notes on stderr")
    .showHelpAfterError("(add --help for usage)")
    .addHelpText(
      "after",
      `
Example:
  $ shanji import donations donations.csv --dry-run
  $ shanji verify ledger --from-chain --rpc http://my-node:8545
${EXIT_CODES_HELP}`,
    );
  program.addCommand(keysCommand());
  program.addCommand(orgCommand());
  program.addCommand(campaignCommand());
  program.addCommand(activityCommand());
  program.addCommand(importCommand());
  program.addCommand(verifyCommand());
  program.addCommand(exportCommand());
  program.addCommand(upCommand());
  return program;
}

/**
 * Runs `shanji` with `argv` (without the node and script paths) and returns its exit code.
 * `output` redirects commander's own output (help, usage errors), e.g. for tests.
 */
export async function runCli(
  argv: readonly string[],
  output?: {
    writeOut: (text: string) => void;
    writeErr: (text: string) => void;
    /** The commands' own output (default process.stdout / process.stderr). */
    stdout?: NodeJS.WritableStream;
    stderr?: NodeJS.WritableStream;
  },
): Promise<number> {
  const program = createProgram();
  const exitOverride = (command: Command) => {
    command.exitOverride();
    if (output) command.configureOutput(output);
    for (const sub of command.commands) exitOverride(sub);
  };
  exitOverride(program);
  lastExit.code = exitCode.ok;
  io.stdout = output?.stdout;
  io.stderr = output?.stderr;
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end with exit code 0; a usage error with 2.
      return error.exitCode === 0 ? exitCode.ok : exitCode.usage;
    }
    throw error;
  }
  return lastExit.code;
}
