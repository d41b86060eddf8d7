/** `shanji import donations | disbursements | credits FILE.csv`, and `shanji import template KIND`. */
import { Command } from "commander";
import { CliError, exitCode } from "../common/cliError.ts";
import { defineAction, ownOptions } from "../common/defineAction.ts";
import { runImport } from "../import/runImport.ts";
import { columnLabel, type ImportKind, templateCsv, templates } from "../import/templates.ts";

type ImportOptions = {
  dryRun?: boolean;
  campaign?: string;
  activity?: string;
  org?: string;
  receipts?: string;
  pseudonymKey?: string;
  upload: boolean;
  restrictedEvidence?: boolean;
  batchSize?: string;
  window?: string;
  passphraseEnv?: string;
};

const EXAMPLES: Record<ImportKind, string> = {
  donations: "shanji import donations 2026-11-donations.csv --receipts 2026-11-receipts.csv",
  disbursements: "shanji import disbursements payments.csv --dry-run",
  credits: "shanji import credits hours.csv --pseudonym-key ~/.shanji/pseudonym.key",
};

export function importCommand(): Command {
  const command = new Command("import").description(
    "put records from your finance or volunteer system on the ledger: validate the whole CSV, then send in batches (idempotent)",
  );
  command.addHelpText(
    "after",
    `
Every row is checked first; if any row is bad, all bad rows are listed (row, column, reason) and
nothing is sent. Running the same file again records nothing twice: each row's reference on the
ledger is derived from its row_id. An interrupted import (Ctrl-C, a crash) leaves whole batches
only; run the same command again to finish it.

Example:
  $ shanji import template donations --lang zh > 捐赠模板.csv
  $ ${EXAMPLES.donations}`,
  );

  for (const kind of ["donations", "disbursements", "credits"] as const) {
    const sub = command
      .command(kind)
      .description(`import ${kind} from a CSV file`)
      .argument("<file>", "the CSV file (UTF-8; English or Chinese headers, see `shanji import template`)")
      .option("--dry-run", "only validate the file (and say what would be sent)")
      .option("--org <orgId>", "with --dry-run and no key: the organisation to validate for");
    if (kind === "credits") sub.option("--activity <id>", "the activity of rows that leave the activity column empty");
    else sub.option("--campaign <id>", "the campaign of rows that leave the campaign column empty");
    if (kind === "donations")
      sub.option("--receipts <file>", "where the donors' receipt codes go (default FILE.receipts.csv)");
    if (kind !== "donations")
      sub.option("--pseudonym-key <file>", "the organisation's pseudonym key (or SHANJI_PSEUDONYM_KEY_FILE)");
    if (kind !== "credits") {
      sub
        .option("--no-upload", "do not upload evidence files to the API (only record their hashes)")
        .option("--restricted-evidence", "upload evidence as restricted (readable by regulators only)");
    }
    sub
      .option("--batch-size <n>", "records per transaction (at most the contract's batch limit)")
      .option("--window <n>", "transactions in flight at once (default: enough to fill two blocks, from 6 to 64)")
      .option("--passphrase-env <VAR>", "read the key's passphrase from this variable (default SHANJI_PASSPHRASE)")
      .addHelpText(
        "after",
        `\nColumns (English or Chinese header; * required):\n${templates[kind]
          .map((c) => `  ${c.required ? "*" : " "} ${columnLabel(c).padEnd(36)} ${c.help}`)
          .join("\n")}\n\nExample:\n  $ ${EXAMPLES[kind]}`,
      )
      .action(
        defineAction(async ({ options, out, command: c }, file: string) => {
          const o = ownOptions<ImportOptions>(c);
          const controller = new AbortController();
          const onSigint = () => {
            if (controller.signal.aborted) process.exit(exitCode.interrupted);
            out.note("Ctrl-C: finishing the transactions in flight, then stopping (press again to quit at once)");
            controller.abort();
          };
          process.on("SIGINT", onSigint);
          try {
            const result = await runImport({
              kind,
              file,
              options,
              out,
              dryRun: Boolean(o.dryRun),
              campaign: o.campaign,
              activity: o.activity,
              org: o.org,
              receipts: o.receipts,
              pseudonymKey: o.pseudonymKey,
              upload: o.upload !== false,
              restricted: Boolean(o.restrictedEvidence),
              batchSize: o.batchSize ? positive(o.batchSize, "--batch-size") : undefined,
              window: o.window ? positive(o.window, "--window") : undefined,
              passphraseEnv: o.passphraseEnv,
              signal: controller.signal,
            });
            return result.code;
          } finally {
            process.off("SIGINT", onSigint);
          }
        }),
      );
  }

  command
    .command("template")
    .description("print a CSV template (header and one example row)")
    .argument("<kind>", "donations, disbursements or credits")
    .option("--lang <lang>", "header language: en or zh", "en")
    .addHelpText("after", "\nExample:\n  $ shanji import template credits --lang zh > 志愿服务记录.csv")
    .action(
      defineAction(async ({ out, command: c }, kind: string) => {
        if (!(kind in templates))
          throw new CliError(`${kind} is not donations, disbursements or credits`, { exitCode: exitCode.usage });
        const lang = ownOptions<{ lang: string }>(c).lang === "zh" ? "zh" : "en";
        const csv = templateCsv(kind as ImportKind, lang);
        out.result({ ok: true, kind, columns: templates[kind as ImportKind], csv }, () => process.stdout.write(csv));
      }),
    );
  return command;
}

function positive(text: string, option: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1)
    throw new CliError(`${option} must be a positive whole number`, { exitCode: exitCode.usage });
  return n;
}
