/** `shanji activity ...`: volunteer activities of a volunteer organisation (or an enterprise). */
import { volunteerCreditAbi } from "@shanji/core";
import { Command } from "commander";
import { encodeFunctionData } from "viem";
import { CliError, exitCode } from "../common/cliError.ts";
import { defineAction, ownOptions } from "../common/defineAction.ts";
import { entriesOf } from "../common/entriesOf.ts";
import { dateToUnixCst, hashOrFile, parseDate, parseId, required } from "../common/parse.ts";
import { openChain, openSigner } from "../common/session.ts";
import { done } from "./orgCommand.ts";

export function activityCommand(): Command {
  const activity = new Command("activity").description("volunteer activities: register, show");
  activity.addHelpText(
    "after",
    "\nExample:\n  $ shanji activity register --description activity.txt --start 2026-01-01",
  );

  activity
    .command("register")
    .description("register a volunteer activity of your organisation")
    .requiredOption(
      "--description <file|hash>",
      "the activity's description: a file (its SHA-256 is recorded) or a 0x hash",
    )
    .requiredOption("--start <date>", "first day (China Standard Time)")
    .option("--end <date>", "last day (open-ended by default)")
    .addHelpText(
      "after",
      "\nExample:\n  $ shanji activity register --description 助老送餐.txt --start 2026/01/01 --json",
    )
    .action(
      defineAction(async (ctx) => {
        const o = ownOptions<{ description: string; start: string; end?: string }>(ctx.command);
        const start = dateToUnixCst(required(parseDate(o.start), "--start"));
        const end = o.end ? dateToUnixCst(required(parseDate(o.end), "--end")) + 86_400n : 0n;
        const description = await hashOrFile(o.description, "--description");
        const s = await openSigner(ctx.options);
        const receipt = await s.sender.write({
          to: s.deployment.addresses.volunteerCredit,
          data: encodeFunctionData({
            abi: volunteerCreditAbi,
            functionName: "registerActivity",
            args: [description, start, end],
          }),
        });
        const entry = entriesOf(receipt, s.deployment.addresses.log).find(
          (e) => e.record.type === "activityRegistered",
        );
        const activityId = entry?.record.type === "activityRegistered" ? entry.record.activityId : undefined;
        done(
          ctx,
          { activityId, transaction: receipt.transactionHash, entryIndex: entry?.index },
          `registered activity ${activityId}`,
        );
      }),
    );

  activity
    .command("show")
    .description("the organisation an activity belongs to (read from the chain)")
    .argument("<activityId>")
    .addHelpText("after", "\nExample:\n  $ shanji activity show 1")
    .action(
      defineAction(async (ctx, id: string) => {
        const activityId = required(parseId(id, "activity id"), "activityId");
        const c = await openChain(ctx.options);
        const orgId = await c.client.readContract({
          address: c.deployment.addresses.volunteerCredit,
          abi: volunteerCreditAbi,
          functionName: "activityOrg",
          args: [activityId],
        });
        if (orgId === 0n) throw new CliError(`no activity ${activityId}`, { exitCode: exitCode.invalidInput });
        ctx.out.result({ ok: true, activityId, orgId }, () =>
          ctx.out.line(`activity ${activityId} of organisation ${orgId}`),
        );
      }),
    );
  return activity;
}
