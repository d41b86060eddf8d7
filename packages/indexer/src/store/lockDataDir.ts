/**
 * PGlite is PostgreSQL inside one process, with no server to keep a second process out of its
 * folder: two processes that open the same folder (`npm start`, and `shanji-api` or
 * `shanji-indexer` left at their default folder, say) each write its files, and the database ends up
 * corrupt. So a store holds a lock file beside the folder (`<dataDir>.lock`, holding its process id)
 * while it is open. A lock whose process is gone (killed, or the machine restarted) is taken over.
 */
import { open, readFile, rm } from "node:fs/promises";
import { StoreError } from "./errors.ts";

/** The folder is locked by a process that is still running (this one, or another). */
export class DataDirInUseError extends StoreError {
  override name = "DataDirInUseError";
}

/** Takes the folder's lock; resolves with the function that releases it. */
export async function lockDataDir(dataDir: string): Promise<() => Promise<void>> {
  const path = `${dataDir}.lock`;
  // Twice at most: the second attempt follows a stale lock removed.
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(path, "wx");
      try {
        await handle.writeFile(`${process.pid}\n`);
      } finally {
        await handle.close();
      }
      return () => rm(path, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const pid = Number.parseInt(await readFile(path, "utf8").catch(() => ""), 10);
    if (Number.isSafeInteger(pid) && pid > 0 && isRunning(pid)) {
      const who = pid === process.pid ? "this process, in another store" : `process ${pid}`;
      throw new DataDirInUseError(
        `The database folder ${dataDir} is open in ${who}: PGlite allows one process at a time. Stop it first, or give each process its own folder; to share one index, use PostgreSQL (DATABASE_URL). If no such process runs, remove ${path}.`,
      );
    }
    await rm(path, { force: true });
  }
  throw new DataDirInUseError(`The database folder ${dataDir} was locked again while its stale lock was removed.`);
}

/** Whether a process with this id runs (signal 0 only checks; EPERM means it runs as another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
