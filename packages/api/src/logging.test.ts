// Request logs must not keep a donor's receipt code (a secret) or any other query value.
import { Writable } from "node:stream";
import { afterAll, beforeAll, expect, test } from "vitest";
import { describeEachBackend } from "../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "./_test/apiFixture.ts";

describeEachBackend("request logs", (backend) => {
  let f: ApiFixture;
  const lines: string[] = [];
  beforeAll(async () => {
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    f = await openApiFixture(backend.freshStore, { logger: { level: "info", stream } });
  });
  afterAll(() => f?.close());

  test("a receipt lookup is logged without its code", async () => {
    const receipt = f.demo.receipts[0];
    if (!receipt) throw new Error("the demo has no receipt");
    const res = await f.app.inject(`/v1/donations/lookup?receipt=${receipt.code}`);
    expect(res.statusCode).toBe(200);
    const log = lines.join("");
    expect(log).toContain("/v1/donations/lookup");
    expect(log).not.toContain(receipt.code.slice(2, 20));
  });
});
