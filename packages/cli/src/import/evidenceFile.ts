/**
 * Evidence and description files named in an import: checked (there, a file, an accepted type,
 * under the API's size limit) and hashed while the file is validated, uploaded before any record
 * that names them is sent.
 */
import { readFile, stat } from "node:fs/promises";
import { extname, isAbsolute, resolve } from "node:path";
import type { Hex } from "viem";
import { type Parsed, sha256Hex } from "../common/parse.ts";

export type EvidenceFile = { path: string; sha256: Hex; contentType: string; size: number };

/** The API's allow-list of content types, by file extension. */
export const CONTENT_TYPES: Record<string, string> = {
  ".pdf": "application/pdf",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".png": "image/png",
  ".webp": "image/webp",
  ".txt": "text/plain",
  ".csv": "text/csv",
  ".json": "application/json",
};

/** The API's default upload limit. */
export const MAX_EVIDENCE_BYTES = 10 * 1024 * 1024;

export async function loadEvidenceFile(
  name: string,
  baseDir: string,
  cache: Map<string, Parsed<EvidenceFile>>,
): Promise<Parsed<EvidenceFile>> {
  const path = isAbsolute(name) ? name : resolve(baseDir, name);
  const cached = cache.get(path);
  if (cached) return cached;
  const result = await load(name, path);
  cache.set(path, result);
  return result;
}

async function load(name: string, path: string): Promise<Parsed<EvidenceFile>> {
  const contentType = CONTENT_TYPES[extname(path).toLowerCase()];
  if (!contentType) {
    return {
      ok: false,
      reason: `"${name}" is not an accepted file type; use PDF, JPEG, PNG, WebP, plain text, CSV or JSON (${Object.keys(CONTENT_TYPES).join(" ")})`,
    };
  }
  let size: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) return { ok: false, reason: `"${name}" is not a file` };
    size = s.size;
  } catch {
    return { ok: false, reason: `the file "${name}" does not exist (looked for ${path})` };
  }
  if (size > MAX_EVIDENCE_BYTES) {
    return {
      ok: false,
      reason: `"${name}" is ${(size / 1024 / 1024).toFixed(1)} MiB, more than the 10 MiB an evidence file may be`,
    };
  }
  if (size === 0) return { ok: false, reason: `"${name}" is empty` };
  return { ok: true, value: { path, sha256: sha256Hex(await readFile(path)), contentType, size } };
}
