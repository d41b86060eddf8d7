/** A hash or address: shortened on screen, whole in the title and for copying; `full` shows it all. */
import { shortHex } from "../lib/format.ts";

export function Hash({ value, full = false, keep }: { value: string; full?: boolean; keep?: number }) {
  return (
    <code className={full ? "hash hash-full" : "hash"} title={value}>
      {full ? value : shortHex(value, keep)}
    </code>
  );
}
