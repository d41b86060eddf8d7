import { afterAll, beforeAll, expect, test } from "vitest";
import { describeEachBackend } from "../../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "../_test/apiFixture.ts";

describeEachBackend("health and conventions", (backend) => {
  let f: ApiFixture;
  beforeAll(async () => {
    f = await openApiFixture(backend.freshStore);
  });
  afterAll(() => f?.close());

  test("live and ready", async () => {
    expect((await f.app.inject("/health/live")).json()).toStrictEqual({ status: "ok" });
    const ready = await f.app.inject("/health/ready");
    expect(ready.statusCode).toBe(200);
    expect(ready.json().indexedBlock).toMatch(/^[1-9][0-9]*$/);
  });

  test("an unknown path is a problem+json 404", async () => {
    const res = await f.app.inject("/v1/nothing-here");
    expect(res.statusCode).toBe(404);
    expect(res.headers["content-type"]).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ status: 404, title: "Not Found", detail: "no route GET /v1/nothing-here" });
  });

  test("an unknown query field is rejected, naming it", async () => {
    const res = await f.app.inject("/health/live?verbose=1");
    expect(res.statusCode).toBe(400);
    expect(res.json().errors).toStrictEqual([{ field: "querystring.verbose", reason: "is not a known field" }]);
  });

  test("security headers and CORS", async () => {
    const res = await f.app.inject({ url: "/health/live", headers: { origin: "https://portal.example" } });
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["content-security-policy"]).toContain("default-src 'self'");
    expect(res.headers["access-control-allow-origin"]).toBe("https://portal.example");
  });

  test("the OpenAPI document is served", async () => {
    const res = await f.app.inject("/openapi.json");
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ openapi: "3.1.0", info: { title: "Shanji API" } });
    expect(Object.keys(res.json().paths)).toContain("/health/ready");
  });
});
