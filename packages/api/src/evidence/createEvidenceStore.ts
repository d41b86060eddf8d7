/**
 * Evidence files (invoices, contracts, photos, reports) in a content-addressed folder: the file
 * `<dir>/<sha256 hex>` holds the bytes whose SHA-256 is that name, and `<dir>/<sha256 hex>.json` its
 * metadata — media type, whether it is restricted to regulators, the organisation and key that
 * uploaded it, and when.
 *
 * The metadata lives beside the file, not in the database, because it is not derived from the chain
 * (the database is a cache that can be dropped and rebuilt from the chain; these files cannot) and
 * because the folder, copied or moved, then carries everything about its files. At scale the folder
 * becomes an object store, and the sidecar the object's metadata.
 *
 * Writes are atomic: a temporary file is written, flushed to disk, then renamed (the bytes) or
 * hard-linked (the metadata) into place, and the folder is flushed. A reader never sees half a
 * file. The metadata is created exclusively, so when two uploads of the same bytes race, or come one
 * after the other, the first one's metadata stands and the others are told what is stored.
 *
 * A file without metadata (the demo's documents as older `npm start` runs wrote them, or a file
 * copied in by hand) is restricted, of type application/octet-stream: evidence may name people, so
 * a file nobody classified is served only to regulators.
 */
import { createHash, randomBytes } from "node:crypto";
import { createReadStream } from "node:fs";
import { link, mkdir, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { type Address, getAddress, type Hex } from "viem";

export type EvidenceMetadata = {
  /** SHA-256 of the file, 0x-hex. */
  sha256: Hex;
  /** Bytes. */
  size: number;
  /** The media type served with the file. */
  contentType: string;
  /** Served only to signed requests of regulators' operators. */
  restricted: boolean;
  /** The organisation whose operator uploaded it; null when it was stored without an upload (the demo). */
  orgId: bigint | null;
  /** The operator key that signed the upload; null when stored without an upload. */
  uploader: Address | null;
  /** Unix seconds of the upload; null when unknown (a file without metadata). */
  uploadedAt: number | null;
};

export type PutEvidenceParameters = {
  contentType: string;
  restricted: boolean;
  orgId?: bigint | null;
  uploader?: Address | null;
  /** The SHA-256 the caller expects: a mismatch throws EvidenceHashMismatchError and stores nothing. */
  sha256?: Hex;
  /** Unix seconds to record as the upload time (default: now). */
  uploadedAt?: number;
};

export type PutEvidenceReturnType = {
  /** What is stored: this call's metadata, or the metadata of the first upload of the same bytes. */
  metadata: EvidenceMetadata;
  /** True when this call stored the metadata; false when the bytes had been stored with metadata before. */
  created: boolean;
};

export type StoredEvidence = { metadata: EvidenceMetadata; open(): Readable };

export type EvidenceStore = {
  readonly dir: string;
  put(bytes: Uint8Array, parameters: PutEvidenceParameters): Promise<PutEvidenceReturnType>;
  /** The file with this SHA-256 (0x-hex or bare hex, any case), or undefined when not stored. */
  get(sha256: string): Promise<StoredEvidence | undefined>;
};

/** The metadata of a file stored without any. */
export const UNCLASSIFIED = { contentType: "application/octet-stream", restricted: true } as const;

export class EvidenceHashMismatchError extends Error {
  readonly expected: Hex;
  readonly actual: Hex;
  constructor(expected: Hex, actual: Hex) {
    super(`the file's SHA-256 is ${actual}, not ${expected}`);
    this.name = "EvidenceHashMismatchError";
    this.expected = expected;
    this.actual = actual;
  }
}

const HASH = /^(?:0x)?([0-9a-fA-F]{64})$/;

/** SHA-256 of `bytes` as lower-case 0x-hex. */
export function sha256Hex(bytes: Uint8Array): Hex {
  return `0x${createHash("sha256").update(bytes).digest("hex")}`;
}

export function createEvidenceStore(dir: string): EvidenceStore {
  const paths = (hash: string) => {
    const name = HASH.exec(hash)?.[1]?.toLowerCase();
    if (!name) throw new Error(`not a SHA-256 in hex: ${JSON.stringify(hash)}`);
    return { name, data: join(dir, name), meta: join(dir, `${name}.json`) };
  };

  async function readMetadata(path: string, sha256: Hex, size: number): Promise<EvidenceMetadata> {
    let text: string;
    try {
      text = await readFile(path, "utf8");
    } catch (error) {
      if (isCode(error, "ENOENT")) return unclassified(sha256, size);
      throw error;
    }
    const parsed = parseMetadata(text, sha256);
    // Unreadable metadata classifies nothing: the file is treated as never classified.
    return parsed ? { ...parsed, size } : unclassified(sha256, size);
  }

  return {
    dir,
    async put(bytes, parameters) {
      const sha256 = sha256Hex(bytes);
      if (parameters.sha256 !== undefined && parameters.sha256.toLowerCase() !== sha256)
        throw new EvidenceHashMismatchError(parameters.sha256, sha256);
      const { name, data, meta } = paths(sha256);
      await mkdir(dir, { recursive: true });
      // Stored before, metadata and all: nothing to write.
      const existing = await stat(data).catch((error) => {
        if (isCode(error, "ENOENT")) return undefined;
        throw error;
      });
      if (existing?.size === bytes.length && (await exists(meta)))
        return { metadata: await readMetadata(meta, sha256, bytes.length), created: false };
      // The bytes first, so that metadata always describes a file that is there.
      await writeAtomically(dir, name, data, bytes, "replace");
      const metadata: EvidenceMetadata = {
        sha256,
        size: bytes.length,
        contentType: parameters.contentType,
        restricted: parameters.restricted,
        orgId: parameters.orgId ?? null,
        uploader: parameters.uploader ? getAddress(parameters.uploader) : null,
        uploadedAt: parameters.uploadedAt ?? Math.floor(Date.now() / 1000),
      };
      const created = await writeAtomically(dir, `${name}.json`, meta, serializeMetadata(metadata), "exclusive");
      if (created) return { metadata, created };
      return { metadata: await readMetadata(meta, sha256, bytes.length), created };
    },
    async get(hash) {
      const { name, data, meta } = paths(hash);
      const info = await stat(data).catch((error) => {
        if (isCode(error, "ENOENT")) return undefined;
        throw error;
      });
      if (!info?.isFile()) return undefined;
      const metadata = await readMetadata(meta, `0x${name}`, info.size);
      return { metadata, open: () => createReadStream(data) };
    },
  };
}

function unclassified(sha256: Hex, size: number): EvidenceMetadata {
  return { sha256, size, ...UNCLASSIFIED, orgId: null, uploader: null, uploadedAt: null };
}

function serializeMetadata(m: EvidenceMetadata): string {
  return `${JSON.stringify(
    {
      sha256: m.sha256,
      size: m.size,
      contentType: m.contentType,
      restricted: m.restricted,
      orgId: m.orgId === null ? null : m.orgId.toString(),
      uploader: m.uploader,
      uploadedAt: m.uploadedAt,
    },
    null,
    2,
  )}\n`;
}

function parseMetadata(text: string, sha256: Hex): Omit<EvidenceMetadata, "size"> | undefined {
  try {
    const v = JSON.parse(text) as Record<string, unknown>;
    if (typeof v.contentType !== "string" || typeof v.restricted !== "boolean") return undefined;
    return {
      sha256,
      contentType: v.contentType,
      restricted: v.restricted,
      orgId: typeof v.orgId === "string" && /^[0-9]+$/.test(v.orgId) ? BigInt(v.orgId) : null,
      uploader:
        typeof v.uploader === "string" && /^0x[0-9a-fA-F]{40}$/.test(v.uploader) ? getAddress(v.uploader) : null,
      uploadedAt: typeof v.uploadedAt === "number" ? v.uploadedAt : null,
    };
  } catch {
    return undefined;
  }
}

/**
 * Writes `content` to `path` through a flushed temporary file. "replace" renames it over whatever is
 * there; "exclusive" links it into place only if nothing is there, and says whether it did.
 */
async function writeAtomically(
  dir: string,
  name: string,
  path: string,
  content: Uint8Array | string,
  mode: "replace" | "exclusive",
): Promise<boolean> {
  const temporary = join(dir, `.${name}.${randomBytes(6).toString("hex")}.tmp`);
  const handle = await open(temporary, "wx", 0o644);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
  let written = true;
  try {
    if (mode === "replace") await rename(temporary, path);
    else await link(temporary, path);
  } catch (error) {
    if (!(mode === "exclusive" && isCode(error, "EEXIST"))) {
      await unlink(temporary).catch(() => {});
      throw error;
    }
    written = false;
  }
  if (mode === "exclusive") await unlink(temporary);
  if (written) await syncDirectory(dir);
  return written;
}

/** Flushes a folder's entries (the rename or link) to disk; a no-op where folders cannot be opened. */
async function syncDirectory(dir: string): Promise<void> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(dir, "r");
    await handle.sync();
  } catch {
    // Windows cannot open a folder; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    (error) => {
      if (isCode(error, "ENOENT")) return false;
      throw error;
    },
  );
}

function isCode(error: unknown, code: string): boolean {
  return typeof error === "object" && error !== null && (error as { code?: unknown }).code === code;
}
