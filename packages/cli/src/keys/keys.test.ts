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
