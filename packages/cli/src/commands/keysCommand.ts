/** `shanji keys new | import | list | export-public | new-pseudonym-key`. */
import { randomBytes } from "node:crypto";
import { readFile, stat } from "node:fs/promises";
import { Command } from "commander";
import type { Hex } from "viem";
import { generatePrivateKey } from "viem/accounts";
import { writeFileAtomic } from "../common/atomicFile.ts";
import { CliError, exitCode } from "../common/cliError.ts";
import { defineAction, ownOptions } from "../common/defineAction.ts";
import { DEFAULT_SCRYPT_N, decryptKeystore, findKey, listKeys, saveKey } from "../keys/keystore.ts";
import { promptHidden, readPassphrase } from "../keys/readPassphrase.ts";

type NewOptions = { scryptN: string; passphraseEnv?: string };
type ImportOptions = NewOptions & { privateKeyFile?: string; keystore?: string; keystorePassphraseEnv?: string };

export function keysCommand(): Command {
  const keys = new Command("keys").description(
    "operator keys in encrypted JSON keystores (scrypt); passphrases come from a prompt or an environment variable and are never printed",
  );
  keys.addHelpText(
    "after",
    `
The keystore folder is --keystore-dir, SHANJI_KEYSTORE_DIR, or ~/.shanji/keys.
The passphrase is read from SHANJI_PASSPHRASE (or the variable --passphrase-env names), else asked for.

Example:
  $ shanji keys new ops-2026
  $ shanji keys export-public ops-2026     # give the address to your organisation's admin`,
  );

  keys
    .command("new")
    .description("create a new random key, encrypted with a passphrase")
    .argument("<name>", "a name for the key (letters, digits, . _ -)")
    .option(
      "--scrypt-n <N>",
      "scrypt cost (a power of two); lower only for throw-away test keys",
      String(DEFAULT_SCRYPT_N),
    )
    .option("--passphrase-env <VAR>", "read the passphrase from this environment variable (default SHANJI_PASSPHRASE)")
    .addHelpText("after", "\nExample:\n  $ SHANJI_PASSPHRASE=… shanji keys new ops-2026 --json")
    .action(
      defineAction(async ({ options, out, command }, name: string) => {
        const o = ownOptions<NewOptions>(command);
        const passphrase = await readPassphrase({
          prompt: "New passphrase: ",
          confirm: true,
          envName: o.passphraseEnv,
        });
        const info = await saveKey({
          dir: options.keystoreDir,
          name,
          privateKey: generatePrivateKey(),
          passphrase,
          scryptN: parseScryptN(o.scryptN),
        });
        out.result({ ok: true, ...info }, () => {
          out.line(`created key "${info.name}": ${info.address}`);
          out.line(`  keystore ${info.file}`);
        });
      }),
    );

  keys
    .command("import")
    .description("import a private key (from a file or a prompt) or an existing JSON keystore")
    .argument("<name>", "a name for the key")
    .option("--private-key-file <FILE>", "a file holding the 0x-hex private key (delete it afterwards)")
    .option("--keystore <FILE>", "an existing encrypted JSON keystore (geth, ethers, Foundry cast)")
    .option("--keystore-passphrase-env <VAR>", "the variable holding the passphrase of --keystore (default: asked for)")
    .option("--scrypt-n <N>", "scrypt cost of the new keystore", String(DEFAULT_SCRYPT_N))
    .option("--passphrase-env <VAR>", "the variable holding the new passphrase (default SHANJI_PASSPHRASE)")
    .addHelpText("after", "\nExample:\n  $ shanji keys import treasurer --keystore ~/Downloads/UTC--2026-…json")
    .action(
      defineAction(async ({ options, out, command }, name: string) => {
        const o = ownOptions<ImportOptions>(command);
        let privateKey: Hex;
        if (o.keystore) {
          const json = await readFile(o.keystore, "utf8").catch((error: unknown) => {
            throw new CliError(`cannot read ${o.keystore}`, { cause: error, exitCode: exitCode.usage });
          });
          const old = await readPassphrase({
            prompt: `Passphrase of ${o.keystore}: `,
            envName: o.keystorePassphraseEnv ?? "SHANJI_IMPORT_PASSPHRASE",
          });
          privateKey = await decryptKeystore(json, old, o.keystore);
        } else if (o.privateKeyFile) {
          await checkPrivateFile(o.privateKeyFile);
          privateKey = parsePrivateKey((await readFile(o.privateKeyFile, "utf8")).trim(), o.privateKeyFile);
        } else if (process.stdin.isTTY) {
          privateKey = parsePrivateKey(
            (await promptHidden("Private key (0x…, not shown): ")).trim(),
            "the private key",
          );
        } else {
          throw new CliError("say where the key comes from: --private-key-file FILE or --keystore FILE", {
            exitCode: exitCode.usage,
          });
        }
        const passphrase = await readPassphrase({
          prompt: "New passphrase: ",
          confirm: true,
          envName: o.passphraseEnv,
        });
        const info = await saveKey({
          dir: options.keystoreDir,
          name,
          privateKey,
          passphrase,
          scryptN: parseScryptN(o.scryptN),
        });
        out.result({ ok: true, ...info }, () =>
          out.line(`imported key "${info.name}": ${info.address} (${info.file})`),
        );
      }),
    );

  keys
    .command("list")
    .description("list the keys of the keystore folder (names and addresses; nothing secret)")
    .addHelpText("after", "\nExample:\n  $ shanji keys list --json")
    .action(
      defineAction(async ({ options, out }) => {
        const list = await listKeys(options.keystoreDir);
        out.result({ ok: true, dir: options.keystoreDir, keys: list }, () => {
          if (list.length === 0) out.line(`no keys in ${options.keystoreDir}`);
          for (const k of list) out.line(`${k.name.padEnd(24)} ${k.address}`);
        });
      }),
    );

  keys
    .command("export-public")
    .description("print a key's address and public key, to give to your organisation's admin or a regulator")
    .argument("[name]", "the key's name or address (default: the only key)")
    .option("-o, --output <FILE>", "write the public part to this JSON file too")
    .addHelpText("after", "\nExample:\n  $ shanji keys export-public ops-2026 -o ops-2026.pub.json")
    .action(
      defineAction(async ({ options, out, command }, name: string | undefined) => {
        const key = await findKey(options.keystoreDir, name ?? options.key);
        const pub = { name: key.name, address: key.address, publicKey: key.publicKey };
        const file = ownOptions<{ output?: string }>(command).output;
        if (file) await writeFileAtomic(file, `${JSON.stringify(pub, null, 2)}\n`);
        out.result({ ok: true, ...pub }, () => {
          out.line(`${key.name}: ${key.address}`);
          out.line(`public key ${key.publicKey}`);
          if (file) out.line(`written to ${file}`);
        });
      }),
    );

  keys
    .command("new-pseudonym-key")
    .description("create the organisation's secret key for pseudonyms of volunteers and payees (HMAC-SHA-256)")
    .argument("<file>", "where to write it (keep it as safe as the operator key: whoever holds it can test identities)")
    .addHelpText("after", "\nExample:\n  $ shanji keys new-pseudonym-key ~/.shanji/pseudonym.key")
    .action(
      defineAction(async ({ out }, file: string) => {
        if (
          await stat(file).then(
            () => true,
            () => false,
          )
        ) {
          throw new CliError(`${file} already exists; a pseudonym key is never replaced in place`, {
            exitCode: exitCode.usage,
            details: "A new key gives every volunteer a new pseudonym: their history would split in two.",
          });
        }
        await writeFileAtomic(file, `0x${randomBytes(32).toString("hex")}\n`, 0o600);
        out.result({ ok: true, file }, () => out.line(`wrote a new pseudonym key to ${file}`));
      }),
    );
  return keys;
}

function parseScryptN(text: string): number {
  const n = Number(text);
  if (!Number.isSafeInteger(n)) throw new CliError(`--scrypt-n ${text} is not a number`, { exitCode: exitCode.usage });
  return n;
}

function parsePrivateKey(text: string, label: string): Hex {
  const hex = text.startsWith("0x") ? text : `0x${text}`;
  if (!/^0x[0-9a-fA-F]{64}$/.test(hex)) {
    throw new CliError(`${label} is not a private key (64 hex digits)`, { exitCode: exitCode.key });
  }
  return hex.toLowerCase() as Hex;
}

async function checkPrivateFile(file: string): Promise<void> {
  try {
    await stat(file);
  } catch (error) {
    throw new CliError(`cannot read ${file}`, { cause: error, exitCode: exitCode.usage });
  }
}
