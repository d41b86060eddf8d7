/**
 * One import at a time per receipt file. Two imports of the same donations file running at once
 * would each write receipt codes for the same rows, one file over the other, while each row goes on
 * chain with the codes of whichever import's batch landed first: donors would be handed codes that
 * match nothing. So an import that writes receipt codes first takes `<receipt file>.lock`, created
 * exclusively (O_EXCL), which names the process holding it; a second import is refused with that
 * name. A lock whose process is gone (killed, the machine restarted) is taken over, so a crash
 * never blocks the re-run that finishes the job. The lock is a file beside the receipt file, so it
 * covers imports on one machine, or on machines sharing that folder.
 *
 * The lock file is written whole under another name and then hard-linked into place, which fails
 * if it exists: nobody ever reads a lock half-written (on a file system without hard links, it is
 * created exclusively and then written). Taking over a stale lock is not atomic: two
 * imports started in the same instant after a crash could both remove it; each then links its own,
 * and only one of those links succeeds.
 */
import { link, readFile, rm, writeFile } from "node:fs/promises";
import { hostname } from "node:os";
import { temporaryBeside, writeFileSynced } from "../common/atomicFile.ts";
import { CliError, exitCode } from "../common/cliError.ts";

export type ImportLock = {
  readonly path: string;
  /** Removes the lock file (only this process's: never one another process took over). */
  release(): Promise<void>;
};

/** What the lock file says of its holder. */
type Holder = { pid: number; host: string; since: string; file: string };

/** Takes the lock of `receiptsFile` for the import of `csv`, or throws a CliError naming its holder. */
export async function lockReceipts(receiptsFile: string, csv: string): Promise<ImportLock> {
  const path = `${receiptsFile}.lock`;
  const mine: Holder = { pid: process.pid, host: hostname(), since: new Date().toISOString(), file: csv };
  // Twice at most: once more after removing a lock whose holder is gone.
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await create(path, mine)) return { path, release: () => release(path, mine) };
    const holder = await readHolder(path);
    if (holder === "unreadable") {
      throw new CliError(`the lock file ${path} is unreadable`, {
        exitCode: exitCode.busy,
        details: `shanji did not write it. If no import of ${receiptsFile} is running, delete it.`,
      });
    }
    if (holder && isAlive(holder)) {
      throw new CliError(
        `another shanji import is using ${receiptsFile} (process ${holder.pid} on ${holder.host}, importing ${holder.file}, since ${holder.since})`,
        {
          exitCode: exitCode.busy,
          details: `Wait until it has finished, then run this import again: it skips the rows already recorded. If no import is running, delete ${path}.`,
          data: { lockFile: path, holder },
        },
      );
    }
    // The holder is gone (or the lock went meanwhile): the lock is stale, unless it changed hands.
    const again = await readHolder(path);
    if (again === undefined || (again !== "unreadable" && again.pid === holder?.pid && again.since === holder.since))
      await rm(path, { force: true });
  }
  throw new CliError(`cannot take the lock file ${path}: another process keeps creating it`, {
    exitCode: exitCode.busy,
  });
}

/** What link() says on a file system that has no hard links. */
const NO_HARD_LINKS = new Set(["EPERM", "ENOTSUP", "ENOSYS", "EOPNOTSUPP"]);

/** Creates the lock file holding `mine`, whole; false if it exists. */
async function create(path: string, mine: Holder): Promise<boolean> {
  const temporary = temporaryBeside(path);
  const text = `${JSON.stringify(mine)}\n`;
  try {
    await writeFileSynced(temporary, text, 0o600);
    try {
      await link(temporary, path);
    } catch (error) {
      if (!NO_HARD_LINKS.has((error as NodeJS.ErrnoException).code ?? "")) throw error;
      // A file system without hard links (FAT, exFAT, some network shares): created exclusively
      // instead, its content written just after. Read in between, it is refused as unreadable.
      await writeFile(path, text, { flag: "wx", mode: 0o600 });
    }
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EEXIST") return false;
    throw new CliError(`cannot create the lock file ${path}: ${(error as Error).message}`, {
      exitCode: exitCode.invalidInput,
      details: "The lock file goes beside the receipt file (--receipts): its folder must exist and be writable.",
      cause: error,
    });
  } finally {
    await rm(temporary, { force: true });
  }
}

/** The lock's holder; undefined if there is no lock file. */
async function readHolder(path: string): Promise<Holder | "unreadable" | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    return "unreadable";
  }
  try {
    const holder = JSON.parse(text) as Partial<Holder>;
    if (typeof holder.pid !== "number" || typeof holder.host !== "string") return "unreadable";
    return {
      pid: holder.pid,
      host: holder.host,
      since: String(holder.since ?? "an unknown time"),
      file: String(holder.file ?? "an unknown file"),
    };
  } catch {
    return "unreadable";
  }
}

/** Whether the holder may still run: on another host we cannot tell, so it may. */
function isAlive(holder: Holder): boolean {
  if (holder.host !== hostname()) return true;
  try {
    process.kill(holder.pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function release(path: string, mine: Holder): Promise<void> {
  const holder = await readHolder(path);
  if (
    holder &&
    holder !== "unreadable" &&
    holder.pid === mine.pid &&
    holder.host === mine.host &&
    holder.since === mine.since
  ) {
    await rm(path, { force: true });
  }
}
