/** `shanji campaign ...`: a charity's campaigns (募捐项目): open, close, disclose, show. */
import { charityLedgerAbi, disclosureKind, isCurrencyCode, parseAmount, toDecimalString } from "@shanji/core";
import { Command } from "commander";
import { encodeFunctionData, hexToString, stringToHex } from "viem";
import { CliError, exitCode } from "../common/cliError.ts";
import { defineAction, ownOptions } from "../common/defineAction.ts";
import { entriesOf } from "../common/entriesOf.ts";
import { dateToUnixCst, hashOrFile, parseDate, parseId, purposeTag, required } from "../common/parse.ts";
import { openChain, openSigner } from "../common/session.ts";
import { done } from "./orgCommand.ts";

const ZERO32 = `0x${"00".repeat(32)}` as const;
const STATUS = ["none", "open", "closed"] as const;

type OpenOptions = {
  currency: string;
  target?: string;
  start: string;
  end?: string;
  filingNumber?: string;
  description: string;
  purpose: string[];
};

export function campaignCommand(): Command {
  const campaign = new Command("campaign").description(
    "campaigns (募捐项目) of a charity: open, close, disclose, show",
  );
  campaign.addHelpText(
    "after",
    "\nExample:\n  $ shanji campaign open --currency CNY --target 800,000.00 --start 2026-01-01 --description plan.pdf --purpose elderly",
  );

  campaign
    .command("open")
    .description("open a campaign of your organisation")
    .option("--currency <code>", "ISO 4217 currency of the campaign", "CNY")
    .option("--target <amount>", "fundraising target, e.g. 800,000.00 (none by default)")
    .requiredOption("--start <date>", "first day, e.g. 2026-01-01 or 2026/01/01 (China Standard Time)")
    .option("--end <date>", "last day (open-ended by default)")
    .option("--filing-number <text>", "the public-fundraising filing number 备案编号 (ASCII, up to 32 characters)")
    .requiredOption(
      "--description <file|hash>",
      "the published description: a file (its SHA-256 is recorded) or a 0x hash",
    )
    .option(
      "--purpose <label>",
      "a restricted purpose that earmarked donations may name (repeatable)",
      (v: string, all: string[]) => [...all, v],
      [] as string[],
    )
    .addHelpText(
      "after",
      "\nExample:\n  $ shanji campaign open --start 2026/11/01 --end 2027/02/28 --target 80,000.00 --filing-number 53110105MJ0000012X-2026-001 --description plan.txt --purpose elderly --purpose children",
    )
    .action(
      defineAction(async (ctx) => {
        const o = ownOptions<OpenOptions>(ctx.command);
        if (!isCurrencyCode(o.currency))
          throw new CliError(`--currency ${o.currency} is not an ISO 4217 code`, { exitCode: exitCode.usage });
        let target = 0n;
        if (o.target) {
          try {
            target = parseAmount(o.target, o.currency);
          } catch (error) {
            throw new CliError(`--target: ${(error as Error).message}`, { exitCode: exitCode.usage });
          }
        }
        const start = dateToUnixCst(required(parseDate(o.start), "--start"));
        // The end date is the last day: the window closes at the end of it.
        const end = o.end ? dateToUnixCst(required(parseDate(o.end), "--end")) + 86_400n : 0n;
        if (o.filingNumber !== undefined && (!/^[\x20-\x7e]+$/.test(o.filingNumber) || o.filingNumber.length > 32)) {
          throw new CliError("--filing-number must be 1 to 32 printable ASCII characters", {
            exitCode: exitCode.usage,
          });
        }
        const input = {
          currency: stringToHex(o.currency, { size: 3 }),
          target,
          startTime: start,
          endTime: end,
          filingNumber: o.filingNumber ? stringToHex(o.filingNumber, { size: 32 }) : ZERO32,
          descriptionHash: await hashOrFile(o.description, "--description"),
          purposeTags: o.purpose.map(purposeTag),
        };
        const s = await openSigner(ctx.options);
        const receipt = await s.sender.write({
          to: s.deployment.addresses.charityLedger,
          data: encodeFunctionData({ abi: charityLedgerAbi, functionName: "openCampaign", args: [input] }),
        });
        const entry = entriesOf(receipt, s.deployment.addresses.log).find((e) => e.record.type === "campaignOpened");
        const campaignId = entry?.record.type === "campaignOpened" ? entry.record.campaignId : undefined;
        done(
          ctx,
          {
            campaignId,
            transaction: receipt.transactionHash,
            entryIndex: entry?.index,
            purposeTags: input.purposeTags,
          },
          `opened campaign ${campaignId}`,
        );
      }),
    );

  campaign
    .command("close")
    .description("close a campaign to donations (spending its balance stays possible)")
    .argument("<campaignId>")
    .addHelpText("after", "\nExample:\n  $ shanji campaign close 4")
    .action(
      defineAction(async (ctx, id: string) => {
        const campaignId = required(parseId(id, "campaign id"), "campaignId");
        const s = await openSigner(ctx.options);
        const receipt = await s.sender.write({
          to: s.deployment.addresses.charityLedger,
          data: encodeFunctionData({ abi: charityLedgerAbi, functionName: "closeCampaign", args: [campaignId] }),
        });
        done(ctx, { campaignId, transaction: receipt.transactionHash }, `closed campaign ${campaignId}`);
      }),
    );

  const kinds = Object.keys(disclosureKind) as (keyof typeof disclosureKind)[];
  campaign
    .command("disclose")
    .description(
      "record a published report: a campaign's progress or final report, or (campaign 0) an organisation report",
    )
    .argument("<campaignId>", "the campaign, or 0 for a report of the organisation")
    .requiredOption("--kind <kind>", `one of ${kinds.join(", ")}`)
    .requiredOption("--report <file|hash>", "the report: a file (its SHA-256 is recorded) or a 0x hash")
    .requiredOption("--from <date>", "first day of the period covered")
    .requiredOption("--to <date>", "last day of the period covered")
    .addHelpText(
      "after",
      "\nExample:\n  $ shanji campaign disclose 1 --kind progress --report q3-report.pdf --from 2026-07-01 --to 2026-09-30",
    )
    .action(
      defineAction(async (ctx, id: string) => {
        const o = ownOptions<{ kind: string; report: string; from: string; to: string }>(ctx.command);
        const campaignId = id.trim() === "0" ? 0n : required(parseId(id, "campaign id"), "campaignId");
        const kind = disclosureKind[o.kind as keyof typeof disclosureKind];
        if (kind === undefined)
          throw new CliError(`--kind ${o.kind} is not one of ${kinds.join(", ")}`, { exitCode: exitCode.usage });
        const from = dateToUnixCst(required(parseDate(o.from), "--from"));
        const to = dateToUnixCst(required(parseDate(o.to), "--to")) + 86_400n;
        const report = await hashOrFile(o.report, "--report");
        const s = await openSigner(ctx.options);
        const receipt = await s.sender.write({
          to: s.deployment.addresses.charityLedger,
          data: encodeFunctionData({
            abi: charityLedgerAbi,
            functionName: "publishDisclosure",
            args: [campaignId, kind, report, from, to],
          }),
        });
        done(
          ctx,
          { campaignId, reportHash: report, transaction: receipt.transactionHash },
          `recorded the ${o.kind} report of ${campaignId === 0n ? "the organisation" : `campaign ${campaignId}`}`,
        );
      }),
    );

  campaign
    .command("show")
    .description("a campaign as the charity ledger holds it (read from the chain)")
    .argument("<campaignId>")
    .addHelpText("after", "\nExample:\n  $ shanji campaign show 1 --json")
    .action(
      defineAction(async (ctx, id: string) => {
        const campaignId = required(parseId(id, "campaign id"), "campaignId");
        const c = await openChain(ctx.options);
        const value = await c.client.readContract({
          address: c.deployment.addresses.charityLedger,
          abi: charityLedgerAbi,
          functionName: "campaign",
          args: [campaignId],
        });
        if (value.status === 0) throw new CliError(`no campaign ${campaignId}`, { exitCode: exitCode.invalidInput });
        const currency = hexToString(value.currency);
        const shown = {
          campaignId,
          orgId: value.orgId,
          status: STATUS[value.status],
          currency,
          balance: isCurrencyCode(currency) ? toDecimalString(value.balance, currency) : String(value.balance),
          balanceMinor: value.balance,
        };
        ctx.out.result({ ok: true, ...shown }, () => {
          for (const [k, v] of Object.entries(shown)) ctx.out.line(`${k.padEnd(14)} ${String(v)}`);
        });
      }),
    );
  return campaign;
}
