/**
 * CPU time of the other processes a benchmark drives, read from Linux's /proc: anvil's, and a local
 * PostgreSQL server's (its postmaster, the backends it has reaped since it started, and those
 * alive). With them, a benchmark can say where the machine's cores went, not only how long it took.
 * Where /proc cannot tell (another OS, a server on another machine), the answer is undefined.
 */
import { readdir, readFile } from "node:fs/promises";
import pg from "pg";

/** Linux's USER_HZ, the unit of /proc's CPU times: 100 on every mainstream Linux build. */
const TICKS_PER_SECOND = 100;

type ProcStat = { ppid: number; ticks: number; reapedChildrenTicks: number };

async function readStat(pid: number): Promise<ProcStat | undefined> {
  let text: string;
  try {
    text = await readFile(`/proc/${pid}/stat`, "utf8");
  } catch {
    return undefined;
  }
  // The command name (field 2) is in parentheses and may hold spaces: the fields after it start
  // after its last ")", with field 3 (state) first.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const field = (n: number) => Number(fields[n - 3]);
  return { ppid: field(4), ticks: field(14) + field(15), reapedChildrenTicks: field(16) + field(17) };
}

/** User plus system CPU seconds of one process so far. */
export async function processCpuSeconds(pid: number): Promise<number | undefined> {
  const stat = await readStat(pid);
  return stat === undefined ? undefined : stat.ticks / TICKS_PER_SECOND;
}

/**
 * CPU seconds of a process, of the children it has reaped, and of its children alive now (a
 * PostgreSQL server's backends come and go with connections).
 */
export async function processTreeCpuSeconds(pid: number): Promise<number | undefined> {
  const root = await readStat(pid);
  if (root === undefined) return undefined;
  let ticks = root.ticks + root.reapedChildrenTicks;
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readStat(Number(entry));
    if (stat?.ppid === pid) ticks += stat.ticks;
  }
  return ticks / TICKS_PER_SECOND;
}

/**
 * The postmaster of the PostgreSQL server at `databaseUrl`, if it runs on this machine: the parent
 * of this connection's backend, which must be a process whose title says it is a PostgreSQL backend
 * (on a remote server, the backend's pid names some unrelated local process, or none).
 */
export async function localPostgresPid(databaseUrl: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
    const backend = rows[0]?.pid;
    if (backend === undefined) return undefined;
    const title = await readFile(`/proc/${backend}/cmdline`, "utf8").catch(() => "");
    if (!title.startsWith("postgres")) return undefined;
    return (await readStat(backend))?.ppid;
  } finally {
    await client.end();
  }
}
