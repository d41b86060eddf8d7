/**
 * A fuzz of every operation in the OpenAPI document — whoever added it — with fast-check: path and
 * query parameters drawn from their documented schemas and from hostile values (unicode, huge
 * numbers, empty and overlong strings, injection-like text), unknown and repeated query fields,
 * random header values, and bodies of the documented and of other content types, well-formed,
 * malformed, with fields missing or added. Whatever the request: no 5xx; every 4xx is
 * problem+json that says why (and names the fields, when it lists errors); every status is one the
 * document declares for the operation; and every 2xx JSON answer matches its documented schema.
 *
 * Bounded: about BUDGET requests per backend, spread over the operations.
 */
import fc from "fast-check";
import { Value } from "typebox/value";
import { afterAll, beforeAll, expect, test } from "vitest";
import { describeEachBackend } from "../../indexer/src/store/_test/testDatabase.ts";
import { type ApiFixture, openApiFixture } from "./_test/apiFixture.ts";
import {
  declares,
  isApiPath,
  type JsonSchema,
  type OpenApiDocument,
  type Operation,
  operationsOf,
} from "./_test/openApiOperations.ts";

const BUDGET = 360;
const MIN_RUNS = 12;

type FuzzRequest = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer;
};

// ------------------------------------------------------------------ arbitraries

const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 40 }),
  fc.bigInt({ min: -(2n ** 130n), max: 2n ** 130n }).map(String),
  fc.integer().map(String),
  fc.double().map(String),
  fc.constantFrom(
    "",
    "0",
    "-0",
    "00",
    "-1",
    "1e309",
    "NaN",
    "Infinity",
    "null",
    "true",
    "[]",
    "{}",
    "0x",
    "0x0",
    "%",
    "%00",
    "../../etc/passwd",
    "' OR 1=1 --",
    "\u0000",
    "😀",
    "٣",
    "１２３",
    "9223372036854775808",
    "18446744073709551616",
    "9".repeat(200),
    `0x${"F".repeat(64)}`,
    `0x${"0".repeat(63)}`,
  ),
  fc.string({ minLength: 201, maxLength: 2_000 }),
);

/**
 * Values that exist in the ledger under test (indexes, sizes, ids, stream ids, receipt codes), so
 * that clean requests find something: set once the fixture is up.
 */
let knownValues: string[] = [];

/** A value the schema describes (so the request gets past validation and reaches the handler). */
function validString(schema: JsonSchema | undefined): fc.Arbitrary<string> {
  const generated = generatedString(schema);
  const pattern = schema?.pattern === undefined ? undefined : new RegExp(schema.pattern);
  const known = pattern
    ? knownValues.filter((v) => pattern.test(v) && (schema?.maxLength === undefined || v.length <= schema.maxLength))
    : [];
  return known.length > 0 ? fc.oneof(generated, fc.constantFrom(...known)) : generated;
}

function generatedString(schema: JsonSchema | undefined): fc.Arbitrary<string> {
  if (!schema) return fc.string({ maxLength: 30 });
  if (schema.enum) return fc.constantFrom(...schema.enum.map(String));
  if (schema.const !== undefined) return fc.constant(String(schema.const));
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map(validString));
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "integer":
      return fc.integer({ min: schema.minimum ?? -5, max: Math.min(schema.maximum ?? 2_000, 1_000_000) }).map(String);
    case "number":
      return fc.double({ noNaN: true, min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6 }).map(String);
    case "boolean":
      return fc.constantFrom("true", "false");
    case "null":
      return fc.constant("null");
    case "string":
      if (schema.pattern) {
        const max = schema.maxLength;
        const matching = fc.stringMatching(new RegExp(schema.pattern));
        // Mostly short values (small indexes and sizes reach real entries), now and then any.
        const short = fc
          .stringMatching(new RegExp(schema.pattern), { size: "xsmall" })
          .filter((s) => max === undefined || s.length <= max);
        return fc.oneof({ arbitrary: short, weight: 3 }, { arbitrary: matching, weight: 1 });
      }
      if (schema.format === "date-time") return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (schema.format === "date") return fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      return fc.string({ unit: "grapheme", minLength: schema.minLength ?? 0, maxLength: schema.maxLength ?? 40 });
    default:
      return fc.string({ maxLength: 30 });
  }
}

const parameterValue = (schema: JsonSchema | undefined) =>
  fc.oneof({ arbitrary: validString(schema), weight: 3 }, { arbitrary: hostileString, weight: 2 });

/** A JSON value for a body schema: valid-looking objects with fields now and then dropped or added. */
function jsonValue(schema: JsonSchema | undefined, depth = 0): fc.Arbitrary<unknown> {
  if (!schema || depth > 3) return fc.jsonValue({ maxDepth: 2 });
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  if (type === "object" && schema.properties) {
    const shape: Record<string, fc.Arbitrary<unknown>> = {};
    for (const [name, property] of Object.entries(schema.properties)) shape[name] = jsonValue(property, depth + 1);
    return fc
      .tuple(
        fc.record(shape, { requiredKeys: [] }),
        fc.dictionary(fc.string({ maxLength: 10 }), fc.jsonValue({ maxDepth: 1 })),
      )
      .map(([known, extra]) => ({ ...extra, ...known }));
  }
  if (type === "array") return fc.array(jsonValue(schema.items, depth + 1), { maxLength: 5 });
  if (type === "integer" || type === "number")
    return fc.oneof(fc.integer(), fc.constant(2 ** 53 + 1), fc.double(), hostileString);
  if (type === "boolean") return fc.oneof(fc.boolean(), hostileString);
  return fc.oneof(validString(schema), hostileString, fc.jsonValue({ maxDepth: 1 }));
}

const ACCEPT = fc.constantFrom(
  undefined,
  "application/json",
  "text/plain",
  "*/*",
  "text/csv",
  "application/problem+json",
  "image/png;q=0.1, */*;q=0.01",
  "garbage;;q=x",
);

const CONTENT_TYPES = [
  "application/json",
  "text/plain",
  "application/octet-stream",
  "application/pdf",
  "multipart/form-data",
];

/**
 * Requests for one operation: half of them clean (every value as documented, so they reach the
 * handler), half hostile (hostile values, unknown and repeated fields, malformed URLs and bodies).
 */
function requestFor(op: Operation): fc.Arbitrary<FuzzRequest> {
  return fc.boolean().chain((clean) => buildRequest(op, clean));
}

function buildRequest(op: Operation, clean: boolean): fc.Arbitrary<FuzzRequest> {
  const pathParams = op.parameters.filter((p) => p.in === "path");
  const queryParams = op.parameters.filter((p) => p.in === "query");
  const headerParams = op.parameters.filter((p) => p.in === "header" && p.name.toLowerCase() !== "content-type");
  const value = (schema: JsonSchema | undefined) => (clean ? validString(schema) : parameterValue(schema));

  // Percent-encoded, or (hostile) now and then as typed when it is printable ASCII ("%zz" then is malformed).
  const pathValue = (schema: JsonSchema | undefined) =>
    clean
      ? validString(schema)
          .filter((v) => v.length > 0)
          .map(encodeURIComponent)
      : fc.oneof(
          fc
            .tuple(
              parameterValue(schema).filter((v) => v.length > 0),
              fc.boolean(),
            )
            .map(([v, raw]) => (raw && /^[\x21-\x7e]+$/.test(v) && !/[/?#]/.test(v) ? v : encodeURIComponent(v))),
          fc.constantFrom("%", "%zz", "a%2", "%E0%A4%A"),
        );
  const path = fc.tuple(...pathParams.map((p) => pathValue(p.schema))).map((values) => {
    let url = op.path;
    pathParams.forEach((p, i) => {
      url = url.replace(`{${p.name}}`, values[i] as string);
    });
    return url;
  });

  const query = fc
    .tuple(
      fc.tuple(
        ...queryParams.map((p) =>
          clean && p.required ? value(p.schema) : fc.option(value(p.schema), { nil: undefined, freq: 2 }),
        ),
      ),
      // Unknown fields, and known ones given twice.
      clean
        ? fc.constant(undefined)
        : fc.option(fc.tuple(fc.string({ minLength: 1, maxLength: 12 }), hostileString), { nil: undefined, freq: 2 }),
      clean
        ? fc.constant(undefined)
        : fc.option(fc.constantFrom(...queryParams.map((p) => p.name), "limit"), { nil: undefined, freq: 3 }),
    )
    .map(([values, extra, repeated]) => {
      const search = new URLSearchParams();
      queryParams.forEach((p, i) => {
        const v = values[i];
        if (v !== undefined) search.append(p.name, v);
      });
      if (extra) search.append(extra[0], extra[1]);
      if (repeated) search.append(repeated, "1");
      const text = search.toString();
      return text ? `?${text}` : "";
    });

  const headers = fc
    .tuple(fc.tuple(...headerParams.map((p) => fc.option(value(p.schema), { nil: undefined, freq: 2 }))), ACCEPT)
    .map(([values, accept]) => {
      const out: Record<string, string> = {};
      headerParams.forEach((p, i) => {
        const v = values[i];
        // Header values must be visible ASCII; hostile text is sent percent-encoded.
        if (v !== undefined) out[p.name] = /^[\x20-\x7e]*$/.test(v) ? v : encodeURIComponent(v);
      });
      if (accept) out.accept = accept;
      return out;
    });

  // Bodies for every operation that may take one, documented as a requestBody or not (a raw upload
  // documents its types as the Content-Type header's enum).
  const contentTypeParam = op.parameters.find((p) => p.in === "header" && p.name.toLowerCase() === "content-type");
  const documentedTypes = [
    ...Object.keys(op.requestBody?.content ?? {}),
    ...((contentTypeParam?.schema?.enum as string[] | undefined) ?? []),
  ];
  const takesBody = op.requestBody !== undefined || ["POST", "PUT", "PATCH"].includes(op.method);
  const types = clean && documentedTypes.length > 0 ? documentedTypes : [...documentedTypes, ...CONTENT_TYPES];
  const payload = fc.oneof(
    fc.uint8Array({ maxLength: 2_048 }).map((b) => Buffer.from(b)),
    fc.string({ unit: "grapheme", maxLength: 200 }),
    fc
      .constantFrom(...types)
      .chain((t) => jsonValue(op.requestBody?.content[t]?.schema))
      .map((v) => JSON.stringify(v) ?? "null"),
    fc.constant("{ not json"),
  );
  const body: fc.Arbitrary<{ type?: string; payload?: string | Buffer }> = takesBody
    ? fc.oneof(
        fc.constant({}),
        fc.tuple(fc.constantFrom(...types), payload).map(([type, p]) => ({ type, payload: p })),
      )
    : fc.constant({});

  return fc.tuple(path, query, headers, body).map(([p, q, h, b]) => ({
    method: op.method,
    url: p + q,
    headers: b.type ? { ...h, "content-type": b.type } : h,
    ...(b.payload === undefined ? {} : { body: b.payload }),
  }));
}

// ------------------------------------------------------------------ the property

/** What is wrong with the answer to `request`, or undefined. */
function checkAnswer(
  op: Operation,
  request: FuzzRequest,
  res: { statusCode: number; headers: Record<string, unknown>; body: string },
): string | undefined {
  const where = `${request.method} ${request.url}`;
  const type = String(res.headers["content-type"] ?? "");
  if (res.statusCode >= 500) return `${where}: ${res.statusCode} ${res.body.slice(0, 300)}`;
  if (!declares(op, res.statusCode)) return `${where}: status ${res.statusCode} is not in the OpenAPI document`;
  if (res.statusCode >= 400) {
    if (!type.startsWith("application/problem+json")) return `${where}: ${res.statusCode} as ${type}, not problem+json`;
    let problem: { status?: unknown; title?: unknown; detail?: unknown; errors?: unknown };
    try {
      problem = JSON.parse(res.body);
    } catch {
      return `${where}: a problem that is not JSON`;
    }
    if (problem.status !== res.statusCode) return `${where}: problem.status ${problem.status} ≠ ${res.statusCode}`;
    if (typeof problem.title !== "string" || typeof problem.detail !== "string" || problem.detail.trim() === "")
      return `${where}: the problem does not say why: ${res.body.slice(0, 200)}`;
    if (problem.errors !== undefined) {
      const errors = problem.errors as { field?: unknown; reason?: unknown }[];
      if (
        !Array.isArray(errors) ||
        errors.length === 0 ||
        errors.some((e) => typeof e.field !== "string" || !e.field || typeof e.reason !== "string" || !e.reason)
      )
        return `${where}: problem.errors without a field and a reason: ${res.body.slice(0, 200)}`;
    }
    return undefined;
  }
  if (res.statusCode >= 200 && res.statusCode < 300 && type.startsWith("application/json")) {
    const schema = op.responses[String(res.statusCode)]?.content?.["application/json"]?.schema;
    if (schema && !Value.Check(schema as never, JSON.parse(res.body))) {
      const first = [...Value.Errors(schema as never, JSON.parse(res.body))][0];
      return `${where}: the answer does not match its schema (${first?.instancePath} ${first?.message})`;
    }
  }
  return undefined;
}

describeEachBackend("fuzz: every operation of the OpenAPI document", (backend) => {
  let f: ApiFixture;
  let operations: Operation[];

  beforeAll(async () => {
    f = await openApiFixture(backend.freshStore);
    const doc = (await f.app.inject("/openapi.json")).json() as OpenApiDocument;
    operations = operationsOf(doc).filter((o) => isApiPath(o.path) && o.method !== "HEAD");
    // Every string in a few real answers, and the demo's ids and receipt codes.
    const found = new Set<string>([
      ...f.demo.receipts.slice(0, 20).map((r) => r.code),
      ...f.demo.orgs.map((o) => String(o.orgId)),
      ...f.demo.campaigns.map((c) => String(c.campaignId)),
    ]);
    const collect = (value: unknown): void => {
      if (typeof value === "string" && value.length <= 200) found.add(value);
      else if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === "object") Object.values(value).forEach(collect);
    };
    for (const url of [
      "/v1/status",
      "/v1/checkpoints/latest",
      ...Array.from({ length: 12 }, (_, i) => `/v1/entries/${i * 7}`),
    ]) {
      collect((await f.app.inject(url)).json());
    }
    knownValues = [...found];
  });
  afterAll(() => f?.close());

  test("property: no request gets a 5xx; every 4xx is problem+json saying why; every status and 2xx body is as documented", async () => {
    expect(operations.length).toBeGreaterThan(5);
    const runs = Math.max(MIN_RUNS, Math.ceil(BUDGET / operations.length));
    const failures: string[] = [];
    let requests = 0;
    /** Answers by status class and operation: the fuzz must reach the handlers, not only the validator. */
    const answered = new Map<string, Record<string, number>>();
    const spent = new Map<string, number>();
    for (const op of operations) {
      const started = performance.now();
      const result = await fc.check(
        fc.asyncProperty(requestFor(op), async (request) => {
          requests += 1;
          const res = await f.app.inject({
            method: request.method as "GET",
            url: request.url,
            headers: request.headers,
            ...(request.body === undefined ? {} : { payload: request.body }),
          });
          const seen = answered.get(`${op.method} ${op.path}`) ?? {};
          seen[res.statusCode] = (seen[res.statusCode] ?? 0) + 1;
          answered.set(`${op.method} ${op.path}`, seen);
          const problem = checkAnswer(op, request, res);
          if (problem) throw new Error(problem);
        }),
        { numRuns: runs, endOnFailure: true },
      );
      spent.set(`${op.method} ${op.path}`, performance.now() - started);
      if (result.failed) {
        failures.push(
          `${op.method} ${op.path}: ${result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance)} ` +
            `(seed ${result.seed}, path ${result.counterexamplePath})`,
        );
      }
    }
    console.log(
      `fuzz [${backend.name}]: ${requests} requests\n${[...answered].map(([op, s]) => `  ${op} ${JSON.stringify(s)} ${Math.round(spent.get(op) ?? 0)} ms`).join("\n")}`,
    );
    expect(failures).toStrictEqual([]);
    expect(requests).toBeGreaterThanOrEqual(operations.length * runs);
  });
});
