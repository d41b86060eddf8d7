/**
 * The one error class of @shanji/cli. Every failure a user can act on is a CliError with a short
 * message, optional details (a hint, the values involved) and the exit code the command ends with.
 * Anything else that escapes a command is a bug, reported with its stack and exit code 70.
 */

/** The exit codes of `shanji`, stated once (README and `shanji --help` list them). */
export const exitCode = {
  ok: 0,
  /** A verification found the ledger, or an answer about it, not to check. */
  verifyFailed: 1,
  /** Wrong arguments or options. */
  usage: 2,
  /** The input file has invalid rows (nothing was sent), or another input the user gave is invalid. */
  invalidInput: 3,
  /** The chain or the API could not be reached, or answered something unusable. */
  unavailable: 4,
  /** The chain refused a transaction (a contract error), or a transaction reverted. */
  refused: 5,
  /** A key or passphrase problem: no such key, wrong passphrase, no passphrase given. */
  key: 6,
  /** Another import is using the same receipt file: try again once it has finished. */
  busy: 7,
  /** A bug: an error that is not a CliError. */
  internal: 70,
  /** Stopped by Ctrl-C (SIGINT) after finishing the transactions in flight. */
  interrupted: 130,
} as const;

export type ExitCode = (typeof exitCode)[keyof typeof exitCode];

export type CliErrorOptions = {
  exitCode?: ExitCode;
  details?: string | undefined;
  cause?: unknown;
  /** Extra facts for `--json` output (e.g. the first bad index of a verification). */
  data?: Record<string, unknown>;
};

export class CliError extends Error {
  override name = "CliError";
  readonly exitCode: ExitCode;
  readonly details: string | undefined;
  readonly data: Record<string, unknown> | undefined;

  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.exitCode = options.exitCode ?? exitCode.invalidInput;
    this.details = options.details;
    this.data = options.data;
  }
}
