// `shanji keys` as its own process: keystores are encrypted, passphrases never appear in output.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { runShanji } from "../_test/runShanji.ts";
import { runCli } from "../createProgram.ts";

let dir: string;
const PASS = "s3cret passphrase 不要打印";
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "shanji-keys-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
const env = (extra: Record<string, string> = {}) => ({
  SHANJI_KEYSTORE_DIR: join(dir, "keys"),
  SHANJI_PASSPHRASE: PASS,
  ...extra,
});

describe("keys", () => {
  test("behavior: new, list and export-public; the keystore is encrypted and the passphrase never printed", async () => {
    const created = await runShanji(["--json", "keys", "new", "ops", "--scrypt-n", "1024"], env());
    expect(created.code, created.stderr).toBe(0);
    const info = JSON.parse(created.stdout);
    expect(info.address).toMatch(/^0x[0-9a-fA-F]{40}$/);
    const keystore = JSON.parse(await readFile(info.file, "utf8"));
    expect((keystore.Crypto ?? keystore.crypto).kdf).toBe("scrypt");
    expect(JSON.stringify(keystore)).not.toContain(PASS);

    const listed = await runShanji(["keys", "list"], env());
    expect(listed.stdout).toMatch(new RegExp(`^ops\\s+${info.address}`, "m"));
    const exported = await runShanji(
      ["--json", "keys", "export-public", "ops", "-o", join(dir, "ops.pub.json")],
      env(),
    );
    expect(JSON.parse(exported.stdout)).toMatchObject({ name: "ops", address: info.address });
    expect(JSON.parse(await readFile(join(dir, "ops.pub.json"), "utf8")).publicKey).toMatch(/^0x04[0-9a-f]{128}$/);
    for (const r of [created, listed, exported]) expect(r.stdout + r.stderr).not.toContain(PASS);
  });

  test("behavior: import a private key from a file; error: a wrong passphrase and no passphrase", async () => {
    const key = `0x${"ab".repeat(32)}` as const;
    await writeFile(join(dir, "pk.txt"), `${key}\n`);
    const imported = await runShanji(
      ["--json", "keys", "import", "treasurer", "--private-key-file", join(dir, "pk.txt"), "--scrypt-n", "1024"],
      env(),
    );
    expect(imported.code, imported.stderr).toBe(0);
    expect(JSON.parse(imported.stdout).address).toBe(privateKeyToAccount(key).address);
    expect(imported.stdout + imported.stderr).not.toContain("ab".repeat(32));

    const again = await runShanji(
      ["keys", "import", "copy", "--keystore", JSON.parse(imported.stdout).file, "--scrypt-n", "1024"],
      env({ SHANJI_IMPORT_PASSPHRASE: "wrong" }),
    );
    expect(again.code).toBe(6);
    expect(again.stderr).toContain("wrong passphrase");
    expect(again.stderr).not.toContain("wrong\n");

    const none = await runShanji(["keys", "new", "other"], {
      SHANJI_KEYSTORE_DIR: join(dir, "keys"),
      SHANJI_PASSPHRASE: "",
    });
    expect(none.code).toBe(6);
    expect(none.stderr).toContain("no passphrase");
  });

  test("args: every command has --help with an example", async () => {
    const paths = [
      [],
      ["keys"],
      ["keys", "new"],
      ["keys", "import"],
      ["keys", "list"],
      ["keys", "export-public"],
      ["org"],
      ["org", "accredit"],
      ["org", "suspend"],
      ["campaign", "open"],
      ["campaign", "disclose"],
      ["activity", "register"],
      ["import"],
      ["import", "donations"],
      ["import", "disbursements"],
      ["import", "credits"],
      ["verify"],
      ["verify", "entry"],
      ["verify", "history"],
      ["verify", "ledger"],
      ["verify", "consistency"],
      ["export"],
      ["export", "donations"],
      ["up"],
    ];
    // In-process: the same program as the bin, without a process start per command.
    for (const path of paths) {
      let out = "";
      const code = await runCli([...path, "--help"], { writeOut: (t) => (out += t), writeErr: (t) => (out += t) });
      expect(code, path.join(" ")).toBe(0);
      expect(out, path.join(" ")).toContain("Example:");
    }
    let err = "";
    expect(await runCli(["verify", "entry"], { writeOut: () => {}, writeErr: (t) => (err += t) })).toBe(2);
    expect(err).toContain("missing required argument");
  });
});

describe("keystore", () => {
  // Written by ethers with its own (JavaScript) scrypt, before the CLI put Node's in its place; the
  // passphrase has characters that NFKC normalisation changes ("ﬁ"), as ethers normalises it.
  const ETHERS_KEYSTORE = JSON.stringify({
    address: "70997970c51812dc3a010c7d01b50e0d17dc79c8",
    id: "874804f4-c118-48cf-8766-ce76adc3ad59",
    version: 3,
    Crypto: {
      cipher: "aes-128-ctr",
      cipherparams: { iv: "245710e91e9e880220a2cb56fadbad6c" },
      ciphertext: "f3a3735e550d57c3af14bc631cd06b46541fac644726e42e110e3b212fa8b717",
      kdf: "scrypt",
      kdfparams: {
        salt: "417f32a7cf2633159f1cdc664c1dfe17ee9323d7d907ab2a9b50cd82c82ffab7",
        n: 1024,
        dklen: 32,
        p: 1,
        r: 8,
      },
      mac: "ea14ed98316eb61c53e46ca84ef3b3d57c32cde8c4a1d5eacc5197fc2159618b",
    },
  });

  test("behavior: Node's scrypt opens a keystore written with ethers' own, and a wrong passphrase is refused", async () => {
    const { decryptKeystore } = await import("./keystore.ts");
    expect(await decryptKeystore(ETHERS_KEYSTORE, "pässwörd ﬁ 善迹", "k")).toBe(
      "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
    );
    await expect(decryptKeystore(ETHERS_KEYSTORE, "pässwörd fi 善迹x", "k")).rejects.toThrow("wrong passphrase for k");
  });

  test("behavior: a key saved at ethers' default cost unlocks with the same key", async () => {
    const { saveKey, unlockKey, DEFAULT_SCRYPT_N } = await import("./keystore.ts");
    const privateKey = "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a";
    const key = await saveKey({ dir: join(dir, "default-cost"), name: "k", privateKey, passphrase: PASS });
    const keystore = JSON.parse(await readFile(key.file, "utf8"));
    expect(keystore.Crypto.kdfparams.n).toBe(DEFAULT_SCRYPT_N);
    expect(await unlockKey(key, PASS)).toBe(privateKey);
    expect(key.address).toBe(privateKeyToAccount(privateKey).address);
  });
});
