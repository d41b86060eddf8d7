/**
 * Operator keys in encrypted JSON keystores (Web3 Secret Storage, scrypt; ethers' keystore
 * functions), one file per key in the keystore folder (`--keystore-dir`, SHANJI_KEYSTORE_DIR,
 * default ~/.shanji/keys): `<name>.json` holds the encrypted key, `<name>.pub.json` its address and
 * public key, so that sharing the public part never needs the passphrase.
 */
import { scrypt } from "node:crypto";
import { mkdir, readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { type Address, getAddress, type Hex } from "viem";
import { writeFileAtomic } from "../common/atomicFile.ts";
import { CliError, exitCode } from "../common/cliError.ts";

export type KeyInfo = { name: string; address: Address; publicKey: Hex; file: string };

/** ethers' default scrypt cost (N = 2^17): about a second to unlock, which is the point. */
export const DEFAULT_SCRYPT_N = 131_072;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function checkKeyName(name: string): void {
  if (!NAME.test(name)) {
    throw new CliError(`"${name}" is not a key name`, {
      exitCode: exitCode.usage,
      details: "A key name is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.",
    });
  }
}

export async function listKeys(dir: string): Promise<KeyInfo[]> {
  let files: string[];
  try {
    files = await readdir(dir);
  } catch {
    return [];
  }
  const keys: KeyInfo[] = [];
  for (const file of files.sort()) {
    if (!file.endsWith(".pub.json")) continue;
    const info = JSON.parse(await readFile(join(dir, file), "utf8")) as Omit<KeyInfo, "file">;
    keys.push({ ...info, file: join(dir, `${info.name}.json`) });
  }
  return keys;
}

/** The key named `nameOrAddress`, or the only key of the folder when none is named. */
export async function findKey(dir: string, nameOrAddress: string | undefined): Promise<KeyInfo> {
  const keys = await listKeys(dir);
  if (nameOrAddress === undefined) {
    if (keys.length === 1 && keys[0]) return keys[0];
    throw new CliError(
      keys.length === 0 ? `no keys in ${dir}` : `${keys.length} keys in ${dir}: say which one with --key NAME`,
      {
        exitCode: exitCode.key,
        details:
          keys.length === 0
            ? "Create one with `shanji keys new NAME` or import one with `shanji keys import NAME`, or point --keystore-dir (SHANJI_KEYSTORE_DIR) at your keys."
            : `Keys: ${keys.map((k) => k.name).join(", ")}`,
      },
    );
  }
  const wanted = nameOrAddress.toLowerCase();
  const key = keys.find((k) => k.name.toLowerCase() === wanted || k.address.toLowerCase() === wanted);
  if (!key) {
    throw new CliError(`no key "${nameOrAddress}" in ${dir}`, {
      exitCode: exitCode.key,
      details: keys.length > 0 ? `Keys: ${keys.map((k) => k.name).join(", ")}` : "The folder holds no keys.",
    });
  }
  return key;
}

/**
 * ethers, loaded only by the commands that use a keystore (it costs every other command's start),
 * with Node's scrypt in place of its own: ethers' is JavaScript on the main thread (~1.5 s at the
 * default cost, with nothing else running meanwhile); Node's is native, several times faster, and
 * runs on the thread pool, so an import goes on validating its file while the key unlocks. Only the
 * key derivation changes: ethers still reads the file, checks the MAC and decrypts.
 */
async function loadEthers() {
  const ethers = await import("ethers");
  if (!nativeScrypt) {
    ethers.scrypt.register(
      (passphrase, salt, N, r, p, dkLen) =>
        new Promise((resolve, reject) => {
          // scrypt needs ~128·N·r bytes; Node refuses more than 32 MiB unless allowed (here twice that).
          scrypt(passphrase, salt, dkLen, { N, r, p, maxmem: 256 * N * r * p }, (error, key) =>
            error ? reject(error) : resolve(new Uint8Array(key)),
          );
        }),
    );
    nativeScrypt = true;
  }
  return ethers;
}
let nativeScrypt = false;

export type SaveKeyParameters = { dir: string; name: string; privateKey: Hex; passphrase: string; scryptN?: number };

export async function saveKey({
  dir,
  name,
  privateKey,
  passphrase,
  scryptN = DEFAULT_SCRYPT_N,
}: SaveKeyParameters): Promise<KeyInfo> {
  checkKeyName(name);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const existing = await listKeys(dir);
  if (existing.some((k) => k.name.toLowerCase() === name.toLowerCase())) {
    throw new CliError(`a key named "${name}" already exists in ${dir}`, { exitCode: exitCode.usage });
  }
  const { encryptKeystoreJson, SigningKey, Wallet } = await loadEthers();
  const signingKey = new SigningKey(privateKey);
  const address = getAddress(new Wallet(signingKey).address);
  if (existing.some((k) => k.address === address)) {
    throw new CliError(`the key ${address} is already in ${dir}`, { exitCode: exitCode.usage });
  }
  if (!Number.isInteger(Math.log2(scryptN)) || scryptN < 1024) {
    throw new CliError("--scrypt-n must be a power of two, at least 1024", { exitCode: exitCode.usage });
  }
  const json = await encryptKeystoreJson({ address, privateKey }, passphrase, { scrypt: { N: scryptN } });
  const file = join(dir, `${name}.json`);
  await writeFileAtomic(file, json, 0o600);
  const info = { name, address, publicKey: signingKey.publicKey as Hex };
  await writeFileAtomic(join(dir, `${name}.pub.json`), `${JSON.stringify(info, null, 2)}\n`);
  return { ...info, file };
}

/** Decrypts a keystore JSON text; a wrong passphrase is a CliError that names the key, not the passphrase. */
export async function decryptKeystore(json: string, passphrase: string, label: string): Promise<Hex> {
  const { decryptKeystoreJson, isKeystoreJson } = await loadEthers();
  if (!isKeystoreJson(json)) {
    throw new CliError(`${label} is not an encrypted JSON keystore`, { exitCode: exitCode.key });
  }
  try {
    const account = await decryptKeystoreJson(json, passphrase);
    return account.privateKey as Hex;
  } catch (error) {
    const wrong = error instanceof Error && /incorrect password|invalid password/i.test(error.message);
    throw new CliError(wrong ? `wrong passphrase for ${label}` : `cannot decrypt ${label}`, {
      exitCode: exitCode.key,
      ...(wrong ? {} : { details: error instanceof Error ? error.message : String(error) }),
    });
  }
}

export async function unlockKey(key: KeyInfo, passphrase: string): Promise<Hex> {
  return decryptKeystore(await readFile(key.file, "utf8"), passphrase, `key "${key.name}" (${key.address})`);
}
