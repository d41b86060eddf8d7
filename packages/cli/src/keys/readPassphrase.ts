/**
 * Where a keystore's passphrase comes from: the environment variable SHANJI_PASSPHRASE (or the one
 * `--passphrase-env NAME` names), for scripts; otherwise a prompt on the terminal that echoes
 * nothing. A passphrase is never printed, logged or put in an error message.
 */
import { CliError, exitCode } from "../common/cliError.ts";

export type ReadPassphraseParameters = {
  prompt: string;
  /** The environment variable to read first (default SHANJI_PASSPHRASE). */
  envName?: string | undefined;
  /** Ask twice and insist on the same answer (a new key). */
  confirm?: boolean;
  env?: NodeJS.ProcessEnv;
};

/** Whether readPassphrase will answer from the environment, without a prompt. */
export function passphraseInEnv(envName = "SHANJI_PASSPHRASE", env: NodeJS.ProcessEnv = process.env): boolean {
  return (env[envName] ?? "") !== "";
}

export async function readPassphrase({
  prompt,
  envName = "SHANJI_PASSPHRASE",
  confirm = false,
  env = process.env,
}: ReadPassphraseParameters): Promise<string> {
  const fromEnv = env[envName];
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (!process.stdin.isTTY) {
    throw new CliError(`no passphrase: ${envName} is not set and there is no terminal to ask on`, {
      exitCode: exitCode.key,
      details: `Set ${envName} in the environment of the command (not on its command line), or run it in a terminal.`,
    });
  }
  const first = await promptHidden(prompt);
  if (first === "") throw new CliError("the passphrase is empty", { exitCode: exitCode.key });
  if (confirm) {
    const second = await promptHidden("Repeat the passphrase: ");
    if (second !== first) throw new CliError("the two passphrases differ", { exitCode: exitCode.key });
  }
  return first;
}

/** Reads a line from the terminal without echoing it. */
export function promptHidden(prompt: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(prompt);
    let value = "";
    const wasRaw = stdin.isRaw;
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.setEncoding("utf8");
    const finish = (error?: Error) => {
      stdin.setRawMode?.(wasRaw);
      stdin.pause();
      stdin.off("data", onData);
      process.stderr.write("\n");
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === "\r" || char === "\n" || char === "\u0004") return finish();
        if (char === "\u0003") return finish(new CliError("interrupted", { exitCode: exitCode.interrupted }));
        if (char === "\u007f" || char === "\b") value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on("data", onData);
  });
}
