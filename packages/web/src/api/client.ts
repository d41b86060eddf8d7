/**
 * The portal's only way to the API: same-origin GETs of /v1 JSON, with problem+json errors turned
 * into ApiProblem (status and the API's own detail, which names the field and the reason).
 */
export class ApiProblem extends Error {
  override name = "ApiProblem";
  readonly status: number;
  readonly errors: { field: string; reason: string }[];

  constructor(status: number, detail: string, errors: { field: string; reason: string }[] = []) {
    super(detail);
    this.status = status;
    this.errors = errors;
  }
}

export type Query = Record<string, string | number | bigint | boolean | undefined | null>;

/** `/v1/x` with the defined query fields appended. */
export function apiPath(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: "application/json" }, signal: signal ?? null });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiProblem(0, "network");
  }
  const type = response.headers.get("content-type") ?? "";
  if (!response.ok) {
    if (type.includes("json")) {
      const problem = (await response.json().catch(() => ({}))) as {
        detail?: string;
        errors?: { field: string; reason: string }[];
      };
      throw new ApiProblem(response.status, problem.detail ?? response.statusText, problem.errors ?? []);
    }
    throw new ApiProblem(response.status, response.statusText);
  }
  return (await response.json()) as T;
}
