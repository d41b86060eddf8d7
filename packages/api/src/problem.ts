/**
 * Errors as RFC 9457 problem details (application/problem+json). A 4xx names the field that is wrong
 * and why; a 5xx says only that something failed on our side and gives the request id to quote.
 */
import { type Static, Type } from "typebox";

export const FieldError = Type.Object(
  {
    field: Type.String({
      description: "Where: `querystring.limit`, `params.index`, `body`, `headers.x-shanji-nonce`, …",
    }),
    reason: Type.String({ description: "Why, in plain words." }),
  },
  { additionalProperties: false },
);

export const Problem = Type.Object(
  {
    type: Type.String({ description: "A URI naming the kind of problem; `about:blank` when the status says it all." }),
    title: Type.String(),
    status: Type.Integer(),
    detail: Type.String(),
    instance: Type.Optional(Type.String({ description: "The request id, to quote when reporting a 5xx." })),
    errors: Type.Optional(Type.Array(FieldError)),
  },
  { additionalProperties: false },
);
export type Problem = Static<typeof Problem>;
export type FieldErrorType = Static<typeof FieldError>;

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  406: "Not Acceptable",
  409: "Conflict",
  413: "Payload Too Large",
  414: "URI Too Long",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

export const titleOf = (status: number): string => TITLES[status] ?? (status >= 500 ? "Server Error" : "Error");

/** An error a route throws to answer with a problem: `throw new ApiError(404, "no entry at index 7")`. */
export class ApiError extends Error {
  readonly status: number;
  readonly errors: FieldErrorType[] | undefined;
  readonly type: string;
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    detail: string,
    options: { errors?: FieldErrorType[]; type?: string; headers?: Record<string, string> } = {},
  ) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.errors = options.errors;
    this.type = options.type ?? "about:blank";
    this.headers = options.headers ?? {};
  }
}

/** 400 for one field: `badRequest("querystring.to", "must not be below querystring.from")`. */
export function badRequest(field: string, reason: string): ApiError {
  return new ApiError(400, `${field}: ${reason}`, { errors: [{ field, reason }] });
}

export function notFound(detail: string): ApiError {
  return new ApiError(404, detail);
}

/** The responses every route may give besides its own: referenced from route schemas. */
export const problemResponses = {
  400: Problem,
  404: Problem,
  429: Problem,
  500: Problem,
  503: Problem,
} as const;
