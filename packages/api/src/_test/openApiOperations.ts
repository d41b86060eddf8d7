/**
 * The API's operations as its OpenAPI document states them, and the routes the app really has, for
 * the tests that must cover every route without naming any (openapi.test.ts, fuzz.test.ts): a route
 * added tomorrow is picked up by both.
 */
import type { ShanjiApp } from "../app.ts";

export type JsonSchema = {
  type?: string | string[];
  pattern?: string;
  format?: string;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  additionalProperties?: boolean | JsonSchema;
  [keyword: string]: unknown;
};

export type Parameter = {
  in: "path" | "query" | "header" | "cookie";
  name: string;
  required?: boolean;
  schema?: JsonSchema;
};

export type Operation = {
  method: string;
  /** The OpenAPI path template: /v1/entries/{index}. */
  path: string;
  parameters: Parameter[];
  requestBody?: { required?: boolean; content: Record<string, { schema?: JsonSchema }> };
  responses: Record<string, { description?: string; content?: Record<string, { schema?: JsonSchema }> }>;
  summary?: string;
  tags?: string[];
};

export type OpenApiDocument = {
  openapi: string;
  paths: Record<string, Record<string, Omit<Operation, "method" | "path">>>;
};

const METHODS = new Set(["get", "put", "post", "delete", "patch", "head", "options"]);

/** Every operation of the document. */
export function operationsOf(doc: OpenApiDocument): Operation[] {
  const out: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!METHODS.has(method)) continue;
      out.push({ ...operation, parameters: operation.parameters ?? [], method: method.toUpperCase(), path });
    }
  }
  return out;
}

/** The API's own paths: the rest (the portal's pages and files, the docs page) are not API operations. */
export const isApiPath = (path: string) => path.startsWith("/v1/") || path.startsWith("/health/");

/**
 * Every route the app serves, as METHOD and OpenAPI-style path (`:index` → `{index}`), read from
 * Fastify's route tree (printRoutes), without HEAD (Fastify adds one per GET) and OPTIONS (CORS).
 */
export function routesOf(app: ShanjiApp): { method: string; path: string }[] {
  const routes: { method: string; path: string }[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split("\n")) {
    const branch = /(├── |└── )/.exec(line);
    if (!branch) continue;
    const depth = branch.index / 4;
    const rest = line.slice(branch.index + 4);
    const match = /^(.*?)(?: \(([A-Z, ]+)\))?$/.exec(rest);
    if (!match) continue;
    stack.length = depth;
    stack.push(match[1] ?? "");
    const path = stack.join("").replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    for (const method of (match[2] ?? "").split(",").map((m) => m.trim())) {
      if (method && method !== "HEAD" && method !== "OPTIONS") routes.push({ method, path });
    }
  }
  return routes;
}

/** Whether the document declares `status` for the operation (exactly, as `4XX`, or as `default`). */
export function declares(operation: Operation, status: number): boolean {
  const r = operation.responses;
  return String(status) in r || `${String(status)[0]}XX` in r || "default" in r;
}
