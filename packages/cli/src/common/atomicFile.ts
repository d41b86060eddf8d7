/**
 * Writes a file whole or not at all, and durably: a temporary file beside it, fsync, rename over
 * the target, fsync of the folder. A crash or a kill at any moment leaves either the old file or
 * the new one, never half of one: what receipt codes (given to donors) and keystores need.
 */
import { open, rename } from "node:fs/promises";
import { basename, dirname, join } from "node:path";

export async function writeFileAtomic(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const temporary = temporaryBeside(path);
  await writeFileSynced(temporary, data, mode);
  await rename(temporary, path);
  // The rename itself is durable only once the folder's entry is on disk.
  const folder = await open(dirname(path), "r");
  try {
    await folder.sync();
  } catch {
    // Some file systems cannot fsync a folder; the rename is still atomic there.
  } finally {
    await folder.close();
  }
}

/** The name of a temporary file beside `path`, this process's own. */
export function temporaryBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
}

/** Writes `path` (created or truncated) and fsyncs it before returning. */
export async function writeFileSynced(path: string, data: string | Uint8Array, mode = 0o644): Promise<void> {
  const file = await open(path, "w", mode);
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
}
