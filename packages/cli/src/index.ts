/**
 * @shanji/cli: the `shanji` command. Programs can run it in-process with `runCli(argv)`, or build
 * on its parts: the CSV import, the verification of the ledger against the chain.
 */

export { CliError, exitCode } from "./common/cliError.ts";
export { createProgram, runCli } from "./createProgram.ts";
export { verifyLedgerFromChain } from "./verify/verifyLedgerFromChain.ts";
