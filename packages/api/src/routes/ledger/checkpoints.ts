/**
 * Checkpoints: sizes of the log with their roots, the blocks at whose end the chain reported them,
 * and the C2SP checkpoint text (https://c2sp.org/tlog-checkpoint) that transparency-log tooling reads.
 */
import type { Deployment, Queryable } from "@shanji/indexer";
import { bytesToHex, type Hex, hexToBytes } from "viem";

export type ReportedSize = { blockNumber: bigint; root: Hex };

/**
 * The first block at whose end the chain's log had exactly `size` entries, and root() there (as the
 * indexer checked and stored it); undefined when no block ended at that size.
 */
export async function reportedSize(q: Queryable, size: bigint): Promise<ReportedSize | undefined> {
  const [row] = await q.query<{ number: bigint; log_root: Uint8Array }>(
    "select number, log_root from blocks where log_size = $1 order by number limit 1",
    [size],
  );
  return row ? { blockNumber: row.number, root: bytesToHex(row.log_root) } : undefined;
}

/** The checkpoint's origin line: names this log on this chain, so a checkpoint can't pass for another log's. */
export function checkpointOrigin(deployment: Pick<Deployment, "chainId" | "addresses">): string {
  return `shanji.ledger/${deployment.chainId}/${deployment.addresses.log.toLowerCase()}`;
}

/** The C2SP checkpoint body: origin, decimal size, standard base64 of the root, each ending in a newline. */
export function checkpointText(origin: string, size: bigint, root: Hex): string {
  return `${origin}\n${size}\n${Buffer.from(hexToBytes(root)).toString("base64")}\n`;
}

/**
 * Whether the client prefers text/plain to JSON (RFC 9110 §12.5.1: the most specific matching
 * range gives each type's weight). JSON wins ties and answers clients that accept neither.
 */
export function prefersText(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = accept.split(",").map((part) => {
    const [range = "", ...params] = part.split(";");
    let q = 1;
    for (const param of params) {
      const [name, value] = param.split("=").map((s) => s.trim());
      if (name?.toLowerCase() === "q") {
        const parsed = Number(value);
        q = Number.isFinite(parsed) ? Math.min(1, Math.max(0, parsed)) : 0;
      }
    }
    return { range: range.trim().toLowerCase(), q };
  });
  const weight = (type: string): number => {
    const [major] = type.split("/");
    let best = { specificity: -1, q: 0 };
    for (const { range, q } of ranges) {
      const specificity = range === type ? 2 : range === `${major}/*` ? 1 : range === "*/*" ? 0 : -1;
      if (specificity > best.specificity) best = { specificity, q };
    }
    return best.q;
  };
  return weight("text/plain") > weight("application/json");
}
