/** `shanji org ...`: the registry's actions of governance, regulators and organisation admins. */
import { orgKind, registryAbi, validateCreditCode } from "@shanji/core";
import { Command } from "commander";
import { type Address, encodeFunctionData, getAddress, isAddress, stringToHex } from "viem";
import { CliError, exitCode } from "../common/cliError.ts";
import { type ActionContext, defineAction, ownOptions } from "../common/defineAction.ts";
import { entriesOf } from "../common/entriesOf.ts";
import { hashOrFile, parseId, required } from "../common/parse.ts";
import { openChain, openSigner } from "../common/session.ts";

const KINDS = Object.keys(orgKind) as (keyof typeof orgKind)[];
const STATUS = ["none", "active", "suspended"] as const;
const ROLES = ["none", "admin", "operator", "retired"] as const;

export function orgCommand(): Command {
  const org = new Command("org").description(
    "organisations in the registry: accredit, suspend, operator keys, admin transfer",
  );
  org.addHelpText(
    "after",
    "\nExample:\n  $ shanji org show 2\n  $ shanji org add-operator 2 0x70997970C51812dc3A010C7d01b50e0d17dc79C8 --key admin",
  );

  org
    .command("accredit")
    .description("accredit an organisation (governance: the consortium's admin key or a regulator's operator)")
    .requiredOption("--kind <kind>", `one of ${KINDS.join(", ")}`)
    .requiredOption("--credit-code <code>", "the Unified Social Credit Code (18 characters)")
    .requiredOption("--name <name>", "the registered name (public, on chain)")
    .requiredOption("--admin <address>", "the organisation's admin key")
    .option("--metadata <file|hash>", "the published profile: a file (its SHA-256 is recorded) or a 0x hash")
    .option("--override-check", "accredit although the credit code's check character is wrong (recorded in the entry)")
    .addHelpText(
      "after",
      '\nExample:\n  $ shanji org accredit --kind charity --credit-code 53110105MJ0000012X --name "朝阳区慈善基金会" --admin 0x… --metadata profile.pdf --key bureau',
    )
    .action(
      defineAction(async (ctx) => {
        const o = ownOptions<{
          kind: string;
          creditCode: string;
          name: string;
          admin: string;
          metadata?: string;
          overrideCheck?: boolean;
        }>(ctx.command);
        const kind = orgKind[o.kind as keyof typeof orgKind];
        if (kind === undefined) throw usage(`--kind ${o.kind} is not one of ${KINDS.join(", ")}`);
        const check = validateCreditCode(o.creditCode);
        if (!check.valid && !(check.reason === "check" && o.overrideCheck)) {
          throw new CliError(`--credit-code: ${check.message}`, {
            exitCode: exitCode.invalidInput,
            ...(check.reason === "check"
              ? { details: "A regulator may accredit it anyway with --override-check." }
              : {}),
          });
        }
        const admin = address(o.admin, "--admin");
        const metadata = o.metadata ? await hashOrFile(o.metadata, "--metadata") : (`0x${"00".repeat(32)}` as const);
        const s = await openSigner(ctx.options);
        const receipt = await s.sender.write({
          to: s.deployment.addresses.registry,
          data: encodeFunctionData({
            abi: registryAbi,
            functionName: "accredit",
            args: [kind, stringToHex(check.code, { size: 18 }), o.name, metadata, admin, Boolean(o.overrideCheck)],
          }),
        });
        const entry = entriesOf(receipt, s.deployment.addresses.log).find((e) => e.record.type === "orgAccredited");
        const orgId = entry && entry.record.type === "orgAccredited" ? entry.record.orgId : undefined;
        done(
          ctx,
          { orgId, creditCode: check.code, transaction: receipt.transactionHash, entryIndex: entry?.index },
          `accredited organisation ${orgId} (${o.name}, ${check.code})`,
        );
      }),
    );

  const simple = (
    name: string,
    description: string,
    args: string[],
    example: string,
    build: (a: string[], o: Record<string, string>) => { functionName: string; args: unknown[]; say: string },
    options: [string, string][] = [],
  ) => {
    const c = org.command(name).description(description);
    for (const a of args) c.argument(`<${a}>`);
    for (const [flag, text] of options) c.requiredOption(flag, text);
    c.addHelpText("after", `\nExample:\n  $ shanji org ${example}`);
    c.action(
      defineAction(async (ctx, ...values: string[]) => {
        const call = build(values, ownOptions<Record<string, string>>(ctx.command));
        const s = await openSigner(ctx.options);
        const receipt = await s.sender.write({
          to: s.deployment.addresses.registry,
          data: encodeFunctionData({ abi: registryAbi, functionName: call.functionName, args: call.args } as never),
        });
        const entries = entriesOf(receipt, s.deployment.addresses.log);
        done(ctx, { transaction: receipt.transactionHash, entryIndexes: entries.map((e) => e.index) }, call.say);
      }),
    );
  };
  simple(
    "suspend",
    "suspend an organisation: its keys can no longer write (governance)",
    ["orgId"],
    "suspend 3 --reason 7",
    ([id], o) => {
      const reason = Number(o.reason);
      if (!Number.isInteger(reason) || reason < 1 || reason > 65_535)
        throw usage("--reason must be a code from 1 to 65535");
      return {
        functionName: "suspend",
        args: [orgIdOf(id), reason],
        say: `suspended organisation ${id} (reason ${reason})`,
      };
    },
    [["--reason <code>", "the reason code, 1..65535"]],
  );
  simple("reinstate", "lift a suspension (governance)", ["orgId"], "reinstate 3", ([id]) => ({
    functionName: "reinstate",
    args: [orgIdOf(id)],
    say: `reinstated organisation ${id}`,
  }));
  simple(
    "add-operator",
    "add an operator key to your organisation (its admin key)",
    ["orgId", "address"],
    "add-operator 2 0x…",
    ([id, a]) => ({
      functionName: "addOperator",
      args: [orgIdOf(id), address(a ?? "", "address")],
      say: `added operator ${a} to organisation ${id}`,
    }),
  );
  simple(
    "revoke-operator",
    "revoke an operator key for good (its admin key)",
    ["orgId", "address"],
    "revoke-operator 2 0x…",
    ([id, a]) => ({
      functionName: "revokeOperator",
      args: [orgIdOf(id), address(a ?? "", "address")],
      say: `revoked operator ${a} of organisation ${id}`,
    }),
  );
  simple(
    "transfer-admin",
    "start handing the admin role to a new key (it accepts after the delay)",
    ["orgId", "newAdmin"],
    "transfer-admin 2 0x…",
    ([id, a]) => ({
      functionName: "beginAdminTransfer",
      args: [orgIdOf(id), address(a ?? "", "newAdmin")],
      say: `admin transfer of organisation ${id} to ${a} started`,
    }),
  );
  simple(
    "cancel-transfer",
    "cancel a pending admin transfer (the admin key)",
    ["orgId"],
    "cancel-transfer 2",
    ([id]) => ({
      functionName: "cancelAdminTransfer",
      args: [orgIdOf(id)],
      say: `admin transfer of organisation ${id} cancelled`,
    }),
  );
  simple(
    "accept-admin",
    "accept the admin role, once the delay has passed (the new admin key)",
    ["orgId"],
    "accept-admin 2 --key new-admin",
    ([id]) => ({
      functionName: "acceptAdminTransfer",
      args: [orgIdOf(id)],
      say: `you are now the admin of organisation ${id}`,
    }),
  );

  org
    .command("show")
    .description("an organisation as the registry holds it (read from the chain)")
    .argument("<orgId>")
    .addHelpText("after", "\nExample:\n  $ shanji org show 2 --json")
    .action(
      defineAction(async (ctx, id: string) => {
        const c = await openChain(ctx.options);
        const orgId = orgIdOf(id);
        const o = await c.client.readContract({
          address: c.deployment.addresses.registry,
          abi: registryAbi,
          functionName: "org",
          args: [orgId],
        });
        if (o.kind === 0) throw new CliError(`no organisation ${orgId}`, { exitCode: exitCode.invalidInput });
        const value = {
          orgId,
          kind: KINDS[o.kind - 1],
          status: STATUS[o.status],
          suspensionReason: o.suspensionReason,
          creditCode: Buffer.from(o.creditCode.slice(2), "hex").toString("latin1"),
          admin: o.admin,
          pendingAdmin: /^0x0{40}$/.test(o.pendingAdmin) ? null : o.pendingAdmin,
          pendingAdminReadyAt: o.pendingAdminReadyAt,
        };
        ctx.out.result({ ok: true, ...value }, () => {
          for (const [k, v] of Object.entries(value)) ctx.out.line(`${k.padEnd(20)} ${v === null ? "-" : String(v)}`);
        });
      }),
    );

  org
    .command("whoami")
    .description("the organisation and role of your key")
    .addHelpText("after", "\nExample:\n  $ shanji org whoami --key ops")
    .action(
      defineAction(async (ctx) => {
        const s = await openSigner(ctx.options);
        const value = { address: s.sender.address, orgId: s.orgId, role: ROLES[s.role] ?? String(s.role) };
        ctx.out.result({ ok: true, ...value }, () =>
          ctx.out.line(
            s.orgId === 0n
              ? `${s.sender.address} belongs to no organisation`
              : `${s.sender.address}: ${value.role} of organisation ${s.orgId}`,
          ),
        );
      }),
    );
  return org;
}

function usage(message: string): CliError {
  return new CliError(message, { exitCode: exitCode.usage });
}

function orgIdOf(text: string | undefined): bigint {
  return required(parseId(text ?? "", "organisation id"), "orgId");
}

function address(text: string, what: string): Address {
  if (!isAddress(text, { strict: false })) throw usage(`${what}: "${text}" is not an address`);
  return getAddress(text);
}

export function done(ctx: ActionContext, value: Record<string, unknown>, say: string): void {
  ctx.out.result({ ok: true, ...value }, () => {
    ctx.out.line(say);
    if (typeof value.transaction === "string") ctx.out.line(`  transaction ${value.transaction}`);
  });
}
