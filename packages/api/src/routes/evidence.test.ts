import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { generateCreditCode, orgKind, registryAbi } from "@shanji/core";
import {
  type Address,
  createWalletClient,
  defineChain,
  getAddress,
  type Hex,
  http,
  parseEther,
  sha256,
  stringToHex,
  toHex,
} from "viem";
import { generatePrivateKey, type LocalAccount, mnemonicToAccount, privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, expect, test } from "vitest";
import { describeEachBackend } from "../../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "../_test/apiFixture.ts";
import { type CreateAppParameters, createApp, type ShanjiApp } from "../app.ts";
import { createEvidenceStore } from "../evidence/createEvidenceStore.ts";

/** The API contract's EIP-712 definitions, written out here so that a drift in the code fails the tests. */
const UPLOAD_TYPES = {
  EvidenceUpload: [
    { name: "orgId", type: "uint64" },
    { name: "sha256", type: "bytes32" },
    { name: "contentType", type: "string" },
    { name: "restricted", type: "bool" },
    { name: "timestamp", type: "uint64" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;
const READ_TYPES = {
  EvidenceRead: [
    { name: "orgId", type: "uint64" },
    { name: "sha256", type: "bytes32" },
    { name: "timestamp", type: "uint64" },
    { name: "nonce", type: "bytes32" },
  ],
} as const;

/** The API contract's EIP-712 domain: version 2, bound to the deployment by its Registry. */
type Domain = { name: string; version: string; chainId: number; verifyingContract?: Address };
const apiDomain = (chainId: number, registry: Address): Domain => ({
  name: "Shanji API",
  version: "2",
  chainId,
  verifyingContract: registry,
});

/** anvil's default accounts: the demo's governance is the first (scripts/demo/recordDemo.ts). */
const governance = mnemonicToAccount("test test test test test test test test test test test junk");

const now = () => BigInt(Math.floor(Date.now() / 1000));
const newNonce = (): Hex => toHex(randomBytes(32));
const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...randomBytes(200)]);

type Org = { orgId: bigint; admin: LocalAccount };

describeEachBackend("evidence: uploads and reads with signed requests", (backend) => {
  let f: ApiFixture;
  const apps: ShanjiApp[] = [];
  let chainId: number;
  let send: (write: Promise<Hex>) => Promise<void>;
  let wallet: ReturnType<typeof createWalletClient>;
  let registry: Address;
  /** A charity with two operator keys; a regulator with one; a charity that gets suspended. */
  let charity: Org;
  let regulator: Org;
  let suspendable: Org;
  let operator: LocalAccount;
  let spareOperator: LocalAccount;
  let regulatorOperator: LocalAccount;
  let suspendableOperator: LocalAccount;

  async function accredit(kind: number, codePrefix: string, name: string): Promise<Org> {
    const admin = privateKeyToAccount(generatePrivateKey());
    await send(
      wallet.sendTransaction({ account: governance, chain: wallet.chain, to: admin.address, value: parseEther("1") }),
    );
    const code = stringToHex(generateCreditCode(codePrefix), { size: 18 });
    await send(
      wallet.writeContract({
        account: governance,
        chain: wallet.chain,
        address: registry,
        abi: registryAbi,
        functionName: "accredit",
        args: [kind, code, name, sha256(stringToHex(name)), admin.address, false],
      }),
    );
    const orgId = await f.client.readContract({
      address: registry,
      abi: registryAbi,
      functionName: "orgIdByCreditCode",
      args: [code],
    });
    return { orgId, admin };
  }

  async function addOperator(org: Org): Promise<LocalAccount> {
    const key = privateKeyToAccount(generatePrivateKey());
    await send(
      wallet.writeContract({
        account: org.admin,
        chain: wallet.chain,
        address: registry,
        abi: registryAbi,
        functionName: "addOperator",
        args: [org.orgId, key.address],
      }),
    );
    return key;
  }

  const registryWrite = (
    functionName: "suspend" | "reinstate" | "revokeOperator",
    args: readonly unknown[],
    account: LocalAccount,
  ) =>
    send(
      wallet.writeContract({
        account,
        chain: wallet.chain,
        address: registry,
        abi: registryAbi,
        functionName,
        args: args as never,
      }),
    );

  type UploadOptions = {
    org: bigint;
    body: Uint8Array;
    contentType?: string;
    restricted?: boolean;
    timestamp?: bigint;
    nonce?: Hex;
    /** Values to sign instead of the request's (a signature over something else). */
    signed?: Partial<{ orgId: bigint; sha256: Hex; contentType: string; restricted: boolean }>;
    query?: string;
    headers?: Record<string, string | undefined>;
    app?: ShanjiApp;
    /** The EIP-712 domain to sign in instead of this deployment's. */
    domain?: Domain;
  };

  async function upload(key: LocalAccount, o: UploadOptions) {
    const contentType = o.contentType ?? "image/png";
    const restricted = o.restricted ?? false;
    const timestamp = o.timestamp ?? now();
    const nonce = o.nonce ?? newNonce();
    const signature = await key.signTypedData({
      domain: o.domain ?? apiDomain(chainId, registry),
      types: UPLOAD_TYPES,
      primaryType: "EvidenceUpload",
      message: { orgId: o.org, sha256: sha256(o.body), contentType, restricted, timestamp, nonce, ...o.signed },
    });
    const headers: Record<string, string> = {
      "content-type": contentType,
      "x-shanji-timestamp": timestamp.toString(),
      "x-shanji-nonce": nonce,
      "x-shanji-signature": signature,
    };
    for (const [name, value] of Object.entries(o.headers ?? {})) {
      if (value === undefined) delete headers[name];
      else headers[name] = value;
    }
    const res = await (o.app ?? f.app).inject({
      method: "POST",
      url: `/v1/evidence?org=${o.org}&restricted=${restricted}${o.query ?? ""}`,
      headers,
      payload: Buffer.from(o.body),
    });
    return { status: res.statusCode, body: res.json(), headers: res.headers, nonce, timestamp, signature };
  }

  async function readSigned(
    key: LocalAccount,
    org: bigint,
    hash: Hex,
    o: { timestamp?: bigint; nonce?: Hex; method?: "GET" | "HEAD"; app?: ShanjiApp; domain?: Domain } = {},
  ) {
    const timestamp = o.timestamp ?? now();
    const nonce = o.nonce ?? newNonce();
    const signature = await key.signTypedData({
      domain: o.domain ?? apiDomain(chainId, registry),
      types: READ_TYPES,
      primaryType: "EvidenceRead",
      message: { orgId: org, sha256: hash, timestamp, nonce },
    });
    return (o.app ?? f.app).inject({
      method: o.method ?? "GET",
      url: `/v1/evidence/${hash}`,
      headers: {
        "x-shanji-org": org.toString(),
        "x-shanji-timestamp": timestamp.toString(),
        "x-shanji-nonce": nonce,
        "x-shanji-signature": signature,
      },
    });
  }

  const expectProblem = (
    res: { status: number; body: { status: number; detail: string } },
    status: number,
    detail?: RegExp,
  ) => {
    expect(res.status, JSON.stringify(res.body)).toBe(status);
    expect(res.body.status).toBe(status);
    if (detail) expect(res.body.detail).toMatch(detail);
  };

  async function otherApp(options: Partial<CreateAppParameters>): Promise<ShanjiApp> {
    const app = await createApp({
      store: f.store,
      deployment: f.deployment,
      dataDir: f.dataDir,
      rateLimit: false,
      snapshotTtlMs: 0,
      ...options,
    });
    apps.push(app);
    return app;
  }

  beforeAll(async () => {
    f = await openApiFixture(backend.freshStore);
    chainId = f.deployment.chainId;
    registry = f.deployment.addresses.registry;
    const chain = defineChain({
      id: chainId,
      name: "anvil",
      nativeCurrency: { name: "Ether", symbol: "ETH", decimals: 18 },
      rpcUrls: { default: { http: [f.rpcUrl] } },
    });
    wallet = createWalletClient({ chain, transport: http(f.rpcUrl) });
    send = async (write) => {
      const receipt = await f.client.waitForTransactionReceipt({ hash: await write, pollingInterval: 20 });
      expect(receipt.status).toBe("success");
    };
    charity = await accredit(orgKind.charity, "53110105MJ0000091", "证据测试基金会");
    regulator = await accredit(orgKind.regulator, "11110105MB0000092", "证据测试民政局");
    suspendable = await accredit(orgKind.charity, "52110105MJ0000093", "证据测试社区服务中心");
    operator = await addOperator(charity);
    spareOperator = await addOperator(charity);
    regulatorOperator = await addOperator(regulator);
    suspendableOperator = await addOperator(suspendable);
    await f.sync();
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await f?.close();
  });

  test("behavior: an operator uploads a public file, and anyone fetches it with its type, ETag and caching", async () => {
    const res = await upload(operator, { org: charity.orgId, body: PNG });
    const hash = sha256(PNG);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toStrictEqual({ sha256: hash, size: PNG.length, contentType: "image/png", restricted: false });
    expect(res.headers.location).toBe(`/v1/evidence/${hash}`);
    // Content-addressed in the data folder, with its metadata beside it.
    expect(new Uint8Array(await readFile(join(f.dataDir, "evidence", hash.slice(2))))).toStrictEqual(PNG);
    expect(JSON.parse(await readFile(join(f.dataDir, "evidence", `${hash.slice(2)}.json`), "utf8"))).toMatchObject({
      contentType: "image/png",
      restricted: false,
      orgId: charity.orgId.toString(),
      uploader: operator.address,
    });

    const get = await f.app.inject(`/v1/evidence/${hash}`);
    expect(get.statusCode).toBe(200);
    expect(new Uint8Array(get.rawPayload)).toStrictEqual(PNG);
    expect(get.headers).toMatchObject({
      "content-type": "image/png",
      "content-length": String(PNG.length),
      etag: `"${hash}"`,
      "cache-control": "public, max-age=31536000, immutable",
      "x-content-type-options": "nosniff",
      "content-disposition": `inline; filename="${hash.slice(2)}.png"`,
    });
    // Bare and upper-case hex name the same file.
    expect((await f.app.inject(`/v1/evidence/${hash.slice(2).toUpperCase()}`)).statusCode).toBe(200);

    const head = await f.app.inject({ method: "HEAD", url: `/v1/evidence/${hash}` });
    expect(head.statusCode).toBe(200);
    expect(head.headers["content-length"]).toBe(String(PNG.length));
    expect(head.headers.etag).toBe(`"${hash}"`);
    expect(head.rawPayload.length).toBe(0);

    const cached = await f.app.inject({ url: `/v1/evidence/${hash}`, headers: { "if-none-match": `"${hash}"` } });
    expect(cached.statusCode).toBe(304);
    expect(cached.rawPayload.length).toBe(0);
  });

  test("behavior: the same bytes uploaded again answer 200 with what the first upload stored", async () => {
    const body = randomBytes(100);
    const first = await upload(operator, { org: charity.orgId, body, contentType: "application/pdf" });
    expect(first.status).toBe(201);
    const again = await upload(spareOperator, {
      org: charity.orgId,
      body,
      contentType: "image/jpeg",
      restricted: true,
    });
    expect(again.status, JSON.stringify(again.body)).toBe(200);
    expect(again.body).toStrictEqual(first.body);
    expect(again.body).toMatchObject({ contentType: "application/pdf", restricted: false });
  });

  test("behavior: text is offered as a download in a sandbox, with its charset; a matching ?sha256= is accepted", async () => {
    const body = new TextEncoder().encode("增值税电子普通发票 No.1\n价税合计：¥1200.00");
    const res = await upload(operator, {
      org: charity.orgId,
      body,
      contentType: "text/plain; charset=UTF-8",
      query: `&sha256=${sha256(body)}`,
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.contentType).toBe("text/plain; charset=utf-8");
    const get = await f.app.inject(`/v1/evidence/${sha256(body)}`);
    expect(get.body).toBe("增值税电子普通发票 No.1\n价税合计：¥1200.00");
    expect(get.headers["content-type"]).toBe("text/plain; charset=utf-8");
    expect(get.headers["content-disposition"]).toBe(`attachment; filename="${sha256(body).slice(2)}.txt"`);
    expect(get.headers["content-security-policy"]).toContain("sandbox");
  });

  test("behavior: a restricted file is a 404 without a signature, like a missing one; a regulator's operator reads it", async () => {
    const body = new TextEncoder().encode(
      `发放确认书：领取人 王伟（电话 13800000000）${randomBytes(4).toString("hex")}`,
    );
    const hash = sha256(body);
    const res = await upload(operator, { org: charity.orgId, body, contentType: "text/plain", restricted: true });
    expect(res.status).toBe(201);
    expect(res.body.restricted).toBe(true);

    const anonymous = await f.app.inject(`/v1/evidence/${hash}`);
    const missingHash = sha256(randomBytes(8));
    const missing = await f.app.inject(`/v1/evidence/${missingHash}`);
    expect(anonymous.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(anonymous.json()).toStrictEqual({
      ...missing.json(),
      detail: missing.json().detail.replace(missingHash, hash),
    });
    expect((await f.app.inject({ method: "HEAD", url: `/v1/evidence/${hash}` })).statusCode).toBe(404);

    const read = await readSigned(regulatorOperator, regulator.orgId, hash);
    expect(read.statusCode, read.body).toBe(200);
    expect(read.body).toBe(new TextDecoder().decode(body));
    expect(read.headers).toMatchObject({
      "cache-control": "private, no-store",
      "content-type": "text/plain",
      "x-content-type-options": "nosniff",
      etag: `"${hash}"`,
    });
    const head = await readSigned(regulatorOperator, regulator.orgId, hash, { method: "HEAD" });
    expect(head.statusCode).toBe(200);
    expect(head.headers["content-length"]).toBe(String(body.length));

    // An operator of an organisation that is not a regulator proves who it is, and is refused.
    const charityRead = await readSigned(operator, charity.orgId, hash);
    expect(charityRead.statusCode).toBe(403);
    expect(charityRead.json().detail).toMatch(`organisation ${charity.orgId} is not a regulator`);
    // A signed read of a public file, or of a missing one, is answered as for anyone.
    expect((await readSigned(operator, charity.orgId, sha256(PNG))).statusCode).toBe(200);
    expect((await readSigned(regulatorOperator, regulator.orgId, missingHash)).statusCode).toBe(404);
  });

  test("error: a timestamp more than 300 s from the server's clock is 401, either way", async () => {
    const body = randomBytes(64);
    const expired = await upload(operator, { org: charity.orgId, body, timestamp: now() - 301n });
    expectProblem(expired, 401, /expired: its timestamp is 30[1-9] s before the server's clock/);
    expect(expired.headers["www-authenticate"]).toMatch(/^Shanji-EIP712/);
    expect(expired.body.errors).toStrictEqual([
      { field: "headers.x-shanji-timestamp", reason: expect.stringContaining("expired") },
    ]);
    expectProblem(
      await upload(operator, { org: charity.orgId, body, timestamp: now() + 330n }),
      401,
      /after the server's clock/,
    );
    expect((await upload(operator, { org: charity.orgId, body, timestamp: now() - 280n })).status).toBe(201);
    const read = await readSigned(regulatorOperator, regulator.orgId, sha256(body), { timestamp: now() - 400n });
    expect(read.statusCode).toBe(401);
  });

  test("error: a replayed request is 409, upload or read", async () => {
    const body = randomBytes(64);
    const first = await upload(operator, { org: charity.orgId, body });
    expect(first.status).toBe(201);
    const replay = await upload(operator, { org: charity.orgId, body, nonce: first.nonce, timestamp: first.timestamp });
    expectProblem(replay, 409, /x-shanji-nonce was used before/);
    expect(replay.body.errors[0].field).toBe("headers.x-shanji-nonce");
    // The nonce is spent whatever else is signed with it.
    expectProblem(await upload(operator, { org: charity.orgId, body: randomBytes(64), nonce: first.nonce }), 409);

    const nonce = newNonce();
    const timestamp = now();
    const hash = sha256(PNG);
    expect((await readSigned(regulatorOperator, regulator.orgId, hash, { nonce, timestamp })).statusCode).toBe(200);
    const replayedRead = await readSigned(regulatorOperator, regulator.orgId, hash, { nonce, timestamp });
    expect(replayedRead.statusCode).toBe(409);
    // Nonces live in the database, so every API process behind a load balancer refuses the replay.
    const rows = await f.store.query("select count(*) as n from api_nonces where nonce = $1", [
      Buffer.from(nonce.slice(2), "hex"),
    ]);
    expect(rows).toStrictEqual([{ n: 1n }]);
  });

  test("error: a signature by a key that is not an operator of the organisation is 401", async () => {
    const body = randomBytes(64);
    const stranger = privateKeyToAccount(generatePrivateKey());
    expectProblem(await upload(stranger, { org: charity.orgId, body }), 401, /is not an operator key of organisation/);
    // The regulator's operator cannot upload in the charity's name, nor the charity's admin.
    expectProblem(await upload(regulatorOperator, { org: charity.orgId, body }), 401);
    expectProblem(await upload(charity.admin, { org: charity.orgId, body }), 401);
    // A signature over other values than the request's recovers to another key.
    expectProblem(await upload(operator, { org: charity.orgId, body, signed: { restricted: true } }), 401);
    expectProblem(await upload(operator, { org: charity.orgId, body, signed: { contentType: "image/jpeg" } }), 401);
    expectProblem(await upload(operator, { org: charity.orgId, body, signed: { sha256: sha256(PNG) } }), 401);
    // An organisation that does not exist has no operators.
    expectProblem(await upload(operator, { org: 999n, body }), 401, /organisation 999 is not accredited/);
    // A signature that recovers to no key at all.
    const broken = await upload(operator, {
      org: charity.orgId,
      body,
      headers: { "x-shanji-signature": `0x${"ff".repeat(65)}` },
    });
    expectProblem(broken, 401, /does not recover/);
    // A stranger's signed read of a restricted file.
    const read = await readSigned(stranger, regulator.orgId, sha256(PNG));
    expect(read.statusCode).toBe(401);
    expect(
      await f.store.query("select 1 from api_nonces where signer = $1", [
        Buffer.from(stranger.address.slice(2), "hex"),
      ]),
    ).toStrictEqual([]);
  });

  test("error: a signature made for another deployment (another Registry) is 401, upload or read, naming the domain", async () => {
    const body = randomBytes(64);
    const elsewhere = apiDomain(chainId, privateKeyToAccount(generatePrivateKey()).address);
    const res = await upload(operator, { org: charity.orgId, body, domain: elsewhere });
    expectProblem(res, 401, /is not an operator key of organisation/);
    expect(res.body.detail).toContain(
      `signed in the domain { name: "Shanji API", version: "2", chainId: ${chainId}, verifyingContract: ${getAddress(registry)} }`,
    );
    expect(res.headers["www-authenticate"]).toMatch(/^Shanji-EIP712/);
    expect(res.body.errors).toStrictEqual([{ field: "headers.x-shanji-signature", reason: res.body.detail }]);
    // Same chain, operator and request, only the Registry differs: signed in this deployment's
    // domain, the upload is accepted, so the 401 came from the domain alone.
    expect((await upload(operator, { org: charity.orgId, body })).status).toBe(201);
    const read = await readSigned(regulatorOperator, regulator.orgId, sha256(body), { domain: elsewhere });
    expect(read.statusCode).toBe(401);
    expect(read.json().detail).toMatch(/is not an operator key of organisation .* signed in the domain/);
  });

  test("error: a signature in the version-1 domain (no verifyingContract) is 401", async () => {
    const v1: Domain = { name: "Shanji API", version: "1", chainId };
    const res = await upload(operator, { org: charity.orgId, body: randomBytes(64), domain: v1 });
    expectProblem(res, 401, /version: "2"/);
    // Version 2 without the Registry is no better.
    const unbound: Domain = { name: "Shanji API", version: "2", chainId };
    expectProblem(await upload(operator, { org: charity.orgId, body: randomBytes(64), domain: unbound }), 401);
    const read = await readSigned(regulatorOperator, regulator.orgId, sha256(PNG), { domain: v1 });
    expect(read.statusCode).toBe(401);
  });

  test("error: a revoked key is 401 once the revocation is indexed", async () => {
    const key = await addOperator(charity);
    await f.sync();
    expect((await upload(key, { org: charity.orgId, body: randomBytes(64) })).status).toBe(201);
    await registryWrite("revokeOperator", [charity.orgId, key.address], charity.admin);
    // Until the indexer has seen it, the index still says the key is an operator.
    expect((await upload(key, { org: charity.orgId, body: randomBytes(64) })).status).toBe(201);
    await f.sync();
    const res = await upload(key, { org: charity.orgId, body: randomBytes(64) });
    expectProblem(
      res,
      401,
      new RegExp(`key ${key.address} was revoked from organisation ${charity.orgId} \\(entry \\d+\\)`),
    );
    expect(res.body.errors[0].field).toBe("headers.x-shanji-signature");
  });

  test("error: a suspended organisation's operator is 403 (upload and read), and accepted again once reinstated", async () => {
    await registryWrite("suspend", [suspendable.orgId, 7], governance);
    await f.sync();
    const res = await upload(suspendableOperator, { org: suspendable.orgId, body: randomBytes(64) });
    expectProblem(res, 403, new RegExp(`organisation ${suspendable.orgId} is suspended \\(reason 7\\)`));
    expect(res.body.errors[0].field).toBe("querystring.org");
    await registryWrite("reinstate", [suspendable.orgId], governance);
    await f.sync();
    expect((await upload(suspendableOperator, { org: suspendable.orgId, body: randomBytes(64) })).status).toBe(201);

    // A suspended regulator reads no restricted file.
    const body = randomBytes(64);
    expect((await upload(operator, { org: charity.orgId, body, restricted: true })).status).toBe(201);
    await registryWrite("suspend", [regulator.orgId, 3], governance);
    await f.sync();
    expect((await readSigned(regulatorOperator, regulator.orgId, sha256(body))).statusCode).toBe(403);
    await registryWrite("reinstate", [regulator.orgId], governance);
    await f.sync();
    expect((await readSigned(regulatorOperator, regulator.orgId, sha256(body))).statusCode).toBe(200);
  });

  test("behavior: with a chain client, a revocation and a suspension count before the indexer sees them", async () => {
    const checked = await otherApp({ evidence: { chain: f.client } });
    const key = await addOperator(charity);
    const other = await accredit(orgKind.charity, "51110105MJ0000094", "证据测试互助会");
    const otherKey = await addOperator(other);
    await f.sync();
    expect((await upload(key, { org: charity.orgId, body: randomBytes(64), app: checked })).status).toBe(201);

    await registryWrite("revokeOperator", [charity.orgId, key.address], charity.admin);
    await registryWrite("suspend", [other.orgId, 2], governance);
    const revoked = await upload(key, { org: charity.orgId, body: randomBytes(64), app: checked });
    expectProblem(revoked, 401, /no longer an operator key on chain/);
    const suspended = await upload(otherKey, { org: other.orgId, body: randomBytes(64), app: checked });
    expectProblem(suspended, 403, new RegExp(`organisation ${other.orgId} is suspended \\(reason 2\\)`));
    // The app without a chain client goes by the index, which has not seen either yet.
    expect((await upload(key, { org: charity.orgId, body: randomBytes(64) })).status).toBe(201);
    expect((await upload(otherKey, { org: other.orgId, body: randomBytes(64) })).status).toBe(201);
    await f.sync();
    expect((await upload(otherKey, { org: other.orgId, body: randomBytes(64) })).status).toBe(403);
  });

  test("error: a file over 10 MiB is 413; exactly 10 MiB is accepted", async () => {
    const limit = 10 * 1024 * 1024;
    const tooLarge = await upload(operator, {
      org: charity.orgId,
      body: new Uint8Array(limit + 1),
      contentType: "application/pdf",
    });
    expectProblem(tooLarge, 413);
    const atLimit = new Uint8Array(limit);
    atLimit.set(randomBytes(32));
    expect((await upload(operator, { org: charity.orgId, body: atLimit, contentType: "application/pdf" })).status).toBe(
      201,
    );
  });

  test("error: a type not on the allow-list is 415, as is a missing Content-Type", async () => {
    const body = randomBytes(64);
    for (const contentType of ["image/gif", "text/html", "image/svg+xml", "application/octet-stream"]) {
      const res = await upload(operator, { org: charity.orgId, body, contentType });
      expectProblem(res, 415, new RegExp(`"${contentType.replace("+", "\\+")}" is not an allowed type`));
      expect(res.body.errors[0].field).toBe("headers.content-type");
    }
    expectProblem(
      await upload(operator, { org: charity.orgId, body, headers: { "content-type": undefined } }),
      415,
      /is required/,
    );
    // The media type is matched without its parameters and in any case.
    expect(
      (await upload(operator, { org: charity.orgId, body, contentType: "Application/JSON; charset=utf-8" })).status,
    ).toBe(201);
  });

  test("args: the size limit and the allowed types are createApp options", async () => {
    const small = await otherApp({ evidence: { maxBytes: 1024, contentTypes: ["text/csv"] } });
    expectProblem(
      await upload(operator, { org: charity.orgId, body: randomBytes(1025), contentType: "text/csv", app: small }),
      413,
    );
    expect(
      (await upload(operator, { org: charity.orgId, body: randomBytes(1024), contentType: "text/csv", app: small }))
        .status,
    ).toBe(201);
    expectProblem(
      await upload(operator, { org: charity.orgId, body: randomBytes(10), app: small }),
      415,
      /allowed: text\/csv$/,
    );
  });

  test("error: ?sha256= that is not the body's SHA-256 is 400, and nothing is stored", async () => {
    const body = randomBytes(64);
    const wrong = sha256(randomBytes(64));
    const res = await upload(operator, { org: charity.orgId, body, query: `&sha256=${wrong}` });
    expectProblem(res, 400);
    expect(res.body.errors).toStrictEqual([
      { field: "querystring.sha256", reason: `does not match the body, whose SHA-256 is ${sha256(body)}` },
    ]);
    expect((await readSigned(regulatorOperator, regulator.orgId, sha256(body))).statusCode).toBe(404);
  });

  test("error: missing or malformed signed-request headers and parameters are 400, naming them", async () => {
    const body = randomBytes(64);
    const noNonce = await upload(operator, { org: charity.orgId, body, headers: { "x-shanji-nonce": undefined } });
    expectProblem(noNonce, 400);
    expect(noNonce.body.errors).toStrictEqual([{ field: "headers.x-shanji-nonce", reason: "is required" }]);
    const shortSignature = await upload(operator, {
      org: charity.orgId,
      body,
      headers: { "x-shanji-signature": `0x${"ab".repeat(64)}` },
    });
    expectProblem(shortSignature, 400);
    expect(shortSignature.body.errors[0].field).toBe("headers.x-shanji-signature");
    const badTimestamp = await upload(operator, {
      org: charity.orgId,
      body,
      headers: { "x-shanji-timestamp": "2026-01-01T00:00:00Z" },
    });
    expect(badTimestamp.body.errors[0].field).toBe("headers.x-shanji-timestamp");
    const noHeaders = await f.app.inject({
      method: "POST",
      url: `/v1/evidence?org=${charity.orgId}&restricted=false`,
      headers: { "content-type": "image/png" },
      payload: Buffer.from(body),
    });
    expect(noHeaders.statusCode).toBe(400);
    expect(
      noHeaders
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toStrictEqual(["headers.x-shanji-nonce", "headers.x-shanji-signature", "headers.x-shanji-timestamp"]);
    const noRestricted = await f.app.inject({
      method: "POST",
      url: `/v1/evidence?org=${charity.orgId}`,
      headers: { "content-type": "image/png" },
      payload: Buffer.from(body),
    });
    expect(noRestricted.json().errors).toContainEqual({ field: "querystring.restricted", reason: "is required" });
    const empty = await upload(operator, { org: charity.orgId, body: new Uint8Array() });
    expectProblem(empty, 400);
    expect(empty.body.errors).toStrictEqual([{ field: "body", reason: "is empty: send the file's bytes" }]);

    // A read with some signed-request headers but not all.
    const partial = await f.app.inject({
      url: `/v1/evidence/${sha256(PNG)}`,
      headers: { "x-shanji-org": regulator.orgId.toString(), "x-shanji-nonce": newNonce() },
    });
    expect(partial.statusCode).toBe(400);
    expect(partial.json().errors.map((e: { field: string }) => e.field)).toStrictEqual([
      "headers.x-shanji-timestamp",
      "headers.x-shanji-signature",
    ]);
    expect((await f.app.inject("/v1/evidence/0x1234")).json().errors[0].field).toBe("params.sha256");
  });

  test("behavior: the demo's documents stored with recordDemo's classification: those that name people are restricted", async () => {
    const store = createEvidenceStore(join(f.dataDir, "evidence"));
    const restricted = new Set(f.demo.restrictedDocuments);
    for (const [hash, text] of f.demo.documents)
      await store.put(new TextEncoder().encode(text), {
        contentType: "text/plain; charset=utf-8",
        restricted: restricted.has(hash),
      });
    const namesSomeone = (text: string) =>
      f.demo.persons.some((p) => text.includes(p.name) || text.includes(p.phone) || text.includes(p.idNumber));
    const classes = { restricted: 0, public: 0 };
    for (const [hash, text] of f.demo.documents) {
      expect(restricted.has(hash), text).toBe(namesSomeone(text));
      classes[restricted.has(hash) ? "restricted" : "public"] += 1;
      const res = await f.app.inject({ method: "HEAD", url: `/v1/evidence/${hash}` });
      expect(res.statusCode).toBe(restricted.has(hash) ? 404 : 200);
    }
    expect(classes.restricted).toBeGreaterThan(10);
    expect(classes.public).toBeGreaterThan(10);
    const invoice = [...f.demo.documents].find(
      ([hash, text]) => text.startsWith("增值税电子普通发票") && !restricted.has(hash),
    );
    expect(invoice).toBeDefined();
    const [invoiceHash, invoiceText] = invoice as [Hex, string];
    expect((await f.app.inject(`/v1/evidence/${invoiceHash}`)).body).toBe(invoiceText);
    const [certificate] = [...f.demo.documents].filter(([, text]) => text.startsWith("志愿服务证明"));
    expect(certificate && restricted.has(certificate[0])).toBe(true);
  });

  test("behavior: a file without metadata is restricted, and served to a regulator as application/octet-stream", async () => {
    const text = `物资捐赠登记：旧文件 ${randomBytes(4).toString("hex")}`;
    const hash = sha256(stringToHex(text));
    await writeFile(join(f.dataDir, "evidence", hash.slice(2)), text);
    expect((await f.app.inject(`/v1/evidence/${hash}`)).statusCode).toBe(404);
    const read = await readSigned(regulatorOperator, regulator.orgId, hash);
    expect(read.statusCode).toBe(200);
    expect(read.body).toBe(text);
    expect(read.headers["content-type"]).toBe("application/octet-stream");
    expect(read.headers["content-disposition"]).toBe(`attachment; filename="${hash.slice(2)}.bin"`);
  });

  test("behavior: the OpenAPI document describes the evidence routes and their answers", async () => {
    const doc = (await f.app.inject("/openapi.json")).json();
    const post = doc.paths["/v1/evidence"].post;
    expect(Object.keys(post.responses).sort()).toStrictEqual(
      ["200", "201", "400", "401", "403", "404", "409", "413", "415", "429", "500", "503"].sort(),
    );
    expect(post.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining([
        "org",
        "restricted",
        "sha256",
        "x-shanji-timestamp",
        "x-shanji-nonce",
        "x-shanji-signature",
      ]),
    );
    expect(Object.keys(doc.paths["/v1/evidence/{sha256}"])).toEqual(expect.arrayContaining(["get", "head"]));
  });
});
