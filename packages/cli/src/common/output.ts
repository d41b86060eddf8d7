/**
 * How a command talks to its user: human text on stdout, or with `--json` exactly one JSON document
 * on stdout at the end (numbers that can pass 2^53 as decimal strings). Progress and notes go to
 * stderr, so that `--json` output can be piped; a progress bar is drawn only on a terminal.
 */
import type { CliError } from "./cliError.ts";

export type Output = {
  readonly json: boolean;
  /** A line of the human answer (ignored with --json). */
  line: (text?: string) => void;
  /** A note for the user on stderr (kept with --json, dropped with --quiet). */
  note: (text: string) => void;
  /** The command's result: printed as JSON with --json, else through `human`. */
  result: (value: unknown, human?: () => void) => void;
  error: (error: CliError) => void;
  progress: (label: string, total: number) => Progress;
};

export type Progress = { tick: (n?: number) => void; set: (done: number) => void; done: (text?: string) => void };

export type CreateOutputParameters = {
  json: boolean;
  quiet?: boolean;
  stdout?: NodeJS.WritableStream & { isTTY?: boolean };
  stderr?: NodeJS.WritableStream & { isTTY?: boolean };
};

/** JSON.stringify for results: bigints become decimal strings, Uint8Arrays hex. */
export function toJson(value: unknown, indent = 2): string {
  return JSON.stringify(
    value,
    (_key, v: unknown) => {
      if (typeof v === "bigint") return v.toString();
      if (v instanceof Uint8Array) return `0x${Buffer.from(v).toString("hex")}`;
      return v;
    },
    indent,
  );
}

export function createOutput({
  json,
  quiet = false,
  stdout = process.stdout,
  stderr = process.stderr,
}: CreateOutputParameters): Output {
  const tty = Boolean(stderr.isTTY) && !quiet;
  return {
    json,
    line(text = "") {
      if (!json) stdout.write(`${text}\n`);
    },
    note(text) {
      if (!quiet) stderr.write(`${text}\n`);
    },
    result(value, human) {
      if (json) stdout.write(`${toJson(value)}\n`);
      else if (human) human();
      else stdout.write(`${toJson(value)}\n`);
    },
    error(error) {
      if (json) {
        stdout.write(
          `${toJson({ ok: false, error: { message: error.message, details: error.details, exitCode: error.exitCode, ...error.data } })}\n`,
        );
      }
      // The human message goes to stderr in both modes: a script's log shows it too.
      stderr.write(`shanji: ${error.message}\n${error.details ? `  ${error.details.replaceAll("\n", "\n  ")}\n` : ""}`);
    },
    progress(label, total) {
      return createProgress({ label, total, stream: stderr, tty, quiet });
    },
  };
}

/**
 * A progress bar on a terminal ("label [#####.....] 1,200/5,000 24% 310/s"), redrawn at most ten
 * times a second; elsewhere a plain line at each tenth, so that logs show that work goes on.
 */
function createProgress(p: {
  label: string;
  total: number;
  stream: NodeJS.WritableStream;
  tty: boolean;
  quiet: boolean;
}): Progress {
  const started = performance.now();
  let done = 0;
  let lastDraw = 0;
  let lastTenth = 0;
  const width = 30;
  const draw = (force: boolean) => {
    if (p.quiet) return;
    const now = performance.now();
    const fraction = p.total > 0 ? Math.min(1, done / p.total) : 1;
    const rate = done / Math.max(0.001, (now - started) / 1000);
    if (p.tty) {
      if (!force && now - lastDraw < 100) return;
      lastDraw = now;
      const filled = Math.round(fraction * width);
      p.stream.write(
        `\r${p.label} [${"#".repeat(filled)}${".".repeat(width - filled)}] ${done.toLocaleString("en")}/${p.total.toLocaleString("en")} ${Math.floor(fraction * 100)}% ${Math.round(rate).toLocaleString("en")}/s\x1b[K`,
      );
    } else {
      const tenth = Math.floor(fraction * 10);
      if (tenth <= lastTenth && !force) return;
      lastTenth = tenth;
      p.stream.write(
        `${p.label}: ${done.toLocaleString("en")}/${p.total.toLocaleString("en")} (${Math.floor(fraction * 100)}%)\n`,
      );
    }
  };
  return {
    tick(n = 1) {
      done += n;
      draw(false);
    },
    set(value) {
      done = value;
      draw(false);
    },
    done(text) {
      if (p.tty) {
        draw(true);
        p.stream.write("\n");
      }
      if (text && !p.quiet) p.stream.write(`${text}\n`);
    },
  };
}
