/** A small leveled logger that writes one line per event to stderr; quiet in tests unless asked. */
import type { Logger } from "./sync/createIndexer.ts";

export type CreateLoggerParameters = { level?: "info" | "warn" | "error" | "silent"; prefix?: string };

const LEVELS = { info: 0, warn: 1, error: 2, silent: 3 } as const;

export function createLogger({ level = "info", prefix = "indexer" }: CreateLoggerParameters = {}): Logger {
  const write = (at: keyof typeof LEVELS, message: string, fields?: Record<string, unknown>) => {
    if (LEVELS[at] < LEVELS[level]) return;
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : "";
    process.stderr.write(`[${prefix}] ${at === "info" ? "" : `${at.toUpperCase()}: `}${message}${extra}\n`);
  };
  return {
    info: (message, fields) => write("info", message, fields),
    warn: (message, fields) => write("warn", message, fields),
    error: (message, fields) => write("error", message, fields),
  };
}
