/** `shanji export donations | disbursements | credits`: the API's CSV exports, to a file. */
import { Command } from "commander";
import { writeFileAtomic } from "../common/atomicFile.ts";
import { CliError, exitCode } from "../common/cliError.ts";
import { defineAction, ownOptions } from "../common/defineAction.ts";
import { formatDate, parseDate, parseId, required } from "../common/parse.ts";

type ExportOptions = { output?: string; org?: string; campaign?: string; from?: string; to?: string };

export function exportCommand(): Command {
  const command = new Command("export").description(
    "the CSV exports of the API (an accountant's view: no row limit), to a file",
  );
  command.addHelpText(
    "after",
    "\nExample:\n  $ shanji export donations --org 2 --from 2026-01-01 --to 2026-12-31 -o donations-2026.csv",
  );
  for (const kind of ["donations", "disbursements", "credits"] as const) {
    command
      .command(kind)
      .description(`export ${kind} as CSV (UTF-8 with BOM; amounts in major units with their currency)`)
      .requiredOption("-o, --output <file>", "the CSV file to write")
      .option("--org <orgId>", "only this organisation's")
      .option("--campaign <id>", kind === "credits" ? "(not used for credits)" : "only this campaign's")
      .option("--from <date>", "from this day on (2026-01-01 or 2026/01/01)")
      .option("--to <date>", "up to this day")
      .addHelpText("after", `\nExample:\n  $ shanji export ${kind} --org 2 -o ${kind}.csv`)
      .action(
        defineAction(async ({ options, out, command: c }) => {
          const o = ownOptions<ExportOptions>(c);
          const query = new URLSearchParams();
          if (o.org) query.set("org", String(required(parseId(o.org, "organisation id"), "--org")));
          if (o.campaign) query.set("campaign", String(required(parseId(o.campaign, "campaign id"), "--campaign")));
          if (o.from) query.set("from", formatDate(required(parseDate(o.from), "--from")));
          if (o.to) query.set("to", formatDate(required(parseDate(o.to), "--to")));
          const url = `${options.api}/v1/exports/${kind}.csv${query.size > 0 ? `?${query}` : ""}`;
          let response: Response;
          try {
            response = await fetch(url, { signal: AbortSignal.timeout(600_000) });
          } catch (error) {
            throw new CliError(`cannot reach the API at ${options.api}`, {
              exitCode: exitCode.unavailable,
              details: `${error instanceof Error ? error.message : String(error)}\nName it with --api URL (SHANJI_API_URL).`,
              cause: error,
            });
          }
          const body = new Uint8Array(await response.arrayBuffer());
          if (!response.ok) {
            throw new CliError(`the API answered ${url} with HTTP ${response.status}`, {
              exitCode: response.status >= 500 ? exitCode.unavailable : exitCode.usage,
              details: Buffer.from(body).toString("utf8").slice(0, 500),
            });
          }
          const text = Buffer.from(body)
            .toString("utf8")
            .replace(/^\uFEFF/, "");
          const rows = text.split(/\r?\n/).filter((line) => line !== "").length - 1;
          await writeFileAtomic(o.output as string, body);
          out.result({ ok: true, kind, file: o.output, rows: Math.max(0, rows), bytes: body.byteLength, url }, () =>
            out.line(`wrote ${Math.max(0, rows)} ${kind} to ${o.output}`),
          );
        }),
      );
  }
  return command;
}
