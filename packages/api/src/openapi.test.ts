import { compileErrors, validate } from "@readme/openapi-parser";
import { afterAll, beforeAll, expect, test } from "vitest";
import { describeEachBackend } from "../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "./_test/apiFixture.ts";
import { isApiPath, type OpenApiDocument, operationsOf, routesOf } from "./_test/openApiOperations.ts";

describeEachBackend("the OpenAPI document", (backend) => {
  let f: ApiFixture;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    f = await openApiFixture(backend.freshStore);
    const res = await f.app.inject("/openapi.json");
    expect(res.statusCode).toBe(200);
    doc = res.json();
  });
  afterAll(() => f?.close());

  test("behavior: /openapi.json is a valid OpenAPI 3.1 document", async () => {
    expect(doc.openapi).toBe("3.1.0");
    // validate() dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
  });

  test("behavior: every route of the API is in the document, and every operation of the document is a route", () => {
    const routes = routesOf(f.app).filter((r) => isApiPath(r.path));
    expect(routes.length).toBeGreaterThan(5);
    const documented = new Set(operationsOf(doc).map((o) => `${o.method} ${o.path}`));
    const missing = routes.map((r) => `${r.method} ${r.path}`).filter((r) => !documented.has(r));
    expect(missing, "routes missing from /openapi.json").toStrictEqual([]);
    const served = new Set(routes.map((r) => `${r.method} ${r.path}`));
    const phantom = operationsOf(doc)
      .filter((o) => o.method !== "HEAD")
      .map((o) => `${o.method} ${o.path}`)
      .filter((o) => !served.has(o));
    expect(phantom, "operations in /openapi.json that the app does not serve").toStrictEqual([]);
  });

  test("behavior: every operation states its responses: a success with its schema, and problem answers", () => {
    const problems: string[] = [];
    for (const op of operationsOf(doc).filter((o) => isApiPath(o.path))) {
      const name = `${op.method} ${op.path}`;
      const codes = Object.keys(op.responses);
      const success = codes.filter((c) => /^2/.test(c));
      if (success.length === 0) problems.push(`${name}: no 2xx response`);
      for (const code of success) {
        const content = op.responses[code]?.content;
        if (code !== "204" && (!content || Object.values(content).some((c) => !c.schema))) {
          problems.push(`${name}: ${code} has no schema`);
        }
      }
      for (const code of codes) {
        if (!op.responses[code]?.description) problems.push(`${name}: ${code} has no description`);
      }
      if (!op.summary) problems.push(`${name}: no summary`);
      if (!op.tags?.length) problems.push(`${name}: no tags`);
      // Each {param} of the path is a documented path parameter.
      for (const [, param] of op.path.matchAll(/\{([^}]+)\}/g)) {
        if (!op.parameters.some((p) => p.in === "path" && p.name === param && p.required)) {
          problems.push(`${name}: path parameter ${param} is not documented`);
        }
      }
      // Those that read the ledger say how fresh the answer is (`ledger`) on success, when JSON.
      if (op.path.startsWith("/v1/")) {
        const json = op.responses["200"]?.content?.["application/json"]?.schema;
        if (json?.type === "object" && json.properties && !("ledger" in json.properties) && !isLedgerExempt(op.path)) {
          problems.push(`${name}: 200 JSON answer has no \`ledger\``);
        }
      }
    }
    expect(problems).toStrictEqual([]);
  });

  test("behavior: every documented ledger route is there with its parameters", () => {
    const ops = new Map(operationsOf(doc).map((o) => [`${o.method} ${o.path}`, o]));
    const expected: [string, string[]][] = [
      ["GET /v1/status", []],
      ["GET /v1/checkpoints/latest", []],
      ["GET /v1/checkpoints/{size}", ["path size"]],
      ["GET /v1/entries/{index}", ["path index", "query treeSize"]],
      ["GET /v1/proofs/consistency", ["query from", "query to"]],
      ["GET /v1/streams/{stream}/history", ["path stream", "query limit", "query cursor", "query order"]],
    ];
    for (const [name, params] of expected) {
      const op = ops.get(name);
      expect(op, name).toBeDefined();
      expect(op?.parameters.map((p) => `${p.in} ${p.name}`).sort(), name).toStrictEqual([...params].sort());
      expect(Object.keys(op?.responses ?? {}), name).toEqual(
        expect.arrayContaining(["200", "400", "404", "500", "503"]),
      );
    }
    // Checkpoints come as JSON or as C2SP text.
    expect(Object.keys(ops.get("GET /v1/checkpoints/latest")?.responses["200"]?.content ?? {}).sort()).toStrictEqual([
      "application/json",
      "text/plain",
    ]);
  });
});

/** Answers that are files or uploads rather than ledger data. */
function isLedgerExempt(path: string): boolean {
  return path.startsWith("/v1/evidence");
}
