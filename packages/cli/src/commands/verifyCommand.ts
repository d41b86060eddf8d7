/**
 * `shanji verify entry N | history STREAM | ledger | consistency FROM TO`: the regulator's tool.
 * Data comes from the API (--api) or, with --from-chain, from the chain's logs with no API at all;
 * it is always checked against root(), size() and stream heads read from the RPC the user names
 * (--rpc). Exit code 0 only when everything checks; 1 when something does not.
 */
import { decodeLeaf } from "@shanji/core";
import { Command } from "commander";
import type { Hex } from "viem";
import { CliError, type ExitCode, exitCode } from "../common/cliError.ts";
import { type ActionContext, defineAction, ownOptions } from "../common/defineAction.ts";
import { openChain } from "../common/session.ts";
import { createApiClient } from "../verify/apiClient.ts";
import { createChainState } from "../verify/chainState.ts";
import { type CheckList, createCheckList } from "../verify/checkList.ts";
import { LOG_RESPONSE_LIMIT } from "../verify/fetchLedgerLogs.ts";
import { prefixRoots } from "../verify/merkleChunks.ts";
import {
  verifyConsistencyViaApi,
  verifyEntryViaApi,
  verifyHistoryViaApi,
  verifyLedgerViaApi,
} from "../verify/verifyApi.ts";
import { verifyLedgerFromChain } from "../verify/verifyLedgerFromChain.ts";

type VerifyOptions = { fromChain?: boolean; block?: string; decode?: boolean; threads?: string };

export function verifyCommand(): Command {
  const verify = new Command("verify").description(
    "check the ledger against root() and stream heads read from your own RPC (--rpc), from the API's answers or the chain's logs (--from-chain)",
  );
  verify.addHelpText(
    "after",
    `
Nothing the API says is trusted: every entry must prove into the root the chain itself reports.
Exit code 0 only when everything checks, 1 when something does not (the report names the first
bad entry), 4 when the chain or the API cannot be reached.

Example:
  $ shanji verify ledger --from-chain --rpc http://my-node:8545
  $ shanji verify entry 1234 --api https://ledger.example.org`,
  );
  const common = (c: Command) =>
    c
      .option("--from-chain", "take the data from the chain's logs (no API at all)")
      .option("--block <n>", "with --from-chain: verify the ledger as of this block (default: the head)");

  common(verify.command("entry").description("check one entry and its inclusion proof").argument("<index>"))
    .addHelpText("after", "\nExample:\n  $ shanji verify entry 42 --json")
    .action(
      defineAction(async (ctx, indexText: string) => {
        const index = parseIndex(indexText, "index");
        const o = ownOptions<VerifyOptions>(ctx.command);
        if (o.fromChain) {
          const { list, result } = await fromChain(ctx, o);
          if (list.ok && index >= BigInt(result.entries))
            list.fail(`entry ${index}`, `the ledger has only ${result.entries} entries`);
          let entry: unknown;
          if (list.ok) {
            const at = (result.leaves.offsets[Number(index)] as number) + 1;
            entry = decodeLeaf(result.leaves.data.subarray(at, result.leaves.offsets[Number(index) + 1] as number));
            list.pass(
              `entry ${index}`,
              `is entry ${index} of the ledger whose root matches root() at block ${result.block}`,
            );
          }
          return report(ctx, list, {
            index,
            entry,
            block: result.block,
            fetchSeconds: result.fetchSeconds,
            recomputeSeconds: result.recomputeSeconds,
          });
        }
        const c = await openChain(ctx.options);
        const { list, entry } = await verifyEntryViaApi(c, createApiClient(ctx.options.api), index);
        return report(ctx, list, { index, entry });
      }),
    );

  common(
    verify
      .command("history")
      .description("check that a stream's history is complete and every entry proves")
      .argument("<stream>", "the stream id, 0x + 64 hex"),
  )
    .addHelpText("after", "\nExample:\n  $ shanji verify history 0x3f…a1 --from-chain")
    .action(
      defineAction(async (ctx, streamText: string) => {
        if (!/^0x[0-9a-fA-F]{64}$/.test(streamText))
          throw new CliError(`"${streamText}" is not a stream id (0x and 64 hex digits)`, { exitCode: exitCode.usage });
        const stream = streamText.toLowerCase() as Hex;
        const o = ownOptions<VerifyOptions>(ctx.command);
        if (o.fromChain) {
          const { list, result, connection } = await fromChain(ctx, o, stream);
          if (list.ok) {
            const head = await createChainState(connection).streamHead(stream, result.block);
            const watched = result.recomputed.watched;
            const last = watched[watched.length - 1];
            const hash16 = last
              ? `0x${Buffer.from(result.recomputed.hashes.subarray(32 * last.index, 32 * last.index + 16)).toString("hex")}`
              : undefined;
            if (
              BigInt(watched.length) !== head.count ||
              (last && (head.lastIndex !== BigInt(last.index) || head.lastLeafHash16 !== hash16))
            ) {
              list.fail(
                "stream head",
                `the logs give the stream ${watched.length} entries, the last ${last?.index ?? "-"}; the chain's head says ${head.count}, the last ${head.lastIndex}`,
                last?.index,
              );
            } else {
              list.pass(
                "history",
                `complete: ${watched.length} entries, the last ${last?.index ?? "-"} as the chain's stream head says, back-pointers unbroken`,
              );
            }
          }
          return report(ctx, list, {
            stream,
            entries: result.recomputed.watched.map((w) => w.index),
            block: result.block,
          });
        }
        const c = await openChain(ctx.options);
        const { list, entries } = await verifyHistoryViaApi(c, createApiClient(ctx.options.api), stream, ctx.out);
        return report(ctx, list, { stream, entries });
      }),
    );

  common(verify.command("ledger").description("rebuild every leaf and recompute the root; report the first bad index"))
    .option("--decode", "with --from-chain: also decode every entry's payload strictly")
    .option(
      "--threads <n>",
      "with --from-chain: hashing threads besides the main one, which hashes too (default: the cores, up to 4)",
    )
    .addHelpText("after", "\nExample:\n  $ shanji verify ledger --from-chain --rpc http://127.0.0.1:8545 --json")
    .action(
      defineAction(async (ctx) => {
        const o = ownOptions<VerifyOptions>(ctx.command);
        if (o.fromChain) {
          const { list, result } = await fromChain(ctx, o);
          return report(ctx, list, {
            block: result.block,
            size: result.size,
            root: result.chainRoot,
            computedRoot: result.computedRoot,
            fetchSeconds: round(result.fetchSeconds),
            recomputeSeconds: round(result.recomputeSeconds),
            recomputeCpuSeconds: round(result.recomputeCpuSeconds),
            threads: result.threads,
          });
        }
        const c = await openChain(ctx.options);
        const { list, size } = await verifyLedgerViaApi(c, createApiClient(ctx.options.api), ctx.out);
        return report(ctx, list, { size });
      }),
    );

  common(
    verify
      .command("consistency")
      .description("check that the ledger of TO entries extends the ledger of FROM entries, with nothing rewritten")
      .argument("<from>")
      .argument("<to>"),
  )
    .addHelpText("after", "\nExample:\n  $ shanji verify consistency 1000 250000")
    .action(
      defineAction(async (ctx, fromText: string, toText: string) => {
        const from = parseIndex(fromText, "from");
        const to = parseIndex(toText, "to");
        if (from < 1n || from > to)
          throw new CliError("consistency needs 1 <= FROM <= TO", { exitCode: exitCode.usage });
        const o = ownOptions<VerifyOptions>(ctx.command);
        if (o.fromChain) {
          const { list, result, connection } = await fromChain(ctx, o);
          if (list.ok) {
            if (to > BigInt(result.entries))
              list.fail("consistency", `the ledger has ${result.entries} entries, fewer than ${to}`);
            else {
              const state = createChainState(connection);
              const [fromRoot, toRoot] = prefixRoots(result.recomputed.hashes, [Number(from), Number(to)]).map(
                (r) => `0x${Buffer.from(r).toString("hex")}`,
              );
              for (const [size, root] of [
                [from, fromRoot],
                [to, toRoot],
              ] as const) {
                // The block after which the log had exactly `size` entries, if a block ended there.
                const last = result.leaves.blocks[Number(size) - 1] as number;
                const next = result.leaves.blocks[Number(size)];
                if (next === last) {
                  list.fail(
                    `root at ${size}`,
                    `no block ended with exactly ${size} entries (entry ${size} is in the same block as entry ${size - 1n}), so the chain never reported that root`,
                  );
                  continue;
                }
                const chainRoot = (await state.root(BigInt(last))).toLowerCase();
                if (chainRoot !== root)
                  list.fail(
                    `root at ${size}`,
                    `the logs give root ${root}; the chain's root() at block ${last} is ${chainRoot}`,
                  );
                else list.pass(`root at ${size}`, `${root} = root() at block ${last}`);
              }
              if (list.ok)
                list.pass(
                  "consistency",
                  `both roots come from one sequence of ${to} leaves: the later ledger extends the earlier, appending only`,
                );
            }
          }
          return report(ctx, list, { from, to });
        }
        const c = await openChain(ctx.options);
        const { list, proof } = await verifyConsistencyViaApi(c, createApiClient(ctx.options.api), from, to);
        return report(ctx, list, { from, to, fromRoot: proof.fromRoot, toRoot: proof.toRoot });
      }),
    );
  return verify;
}

/** The whole ledger from the chain's logs, as the first check of every --from-chain verification. */
async function fromChain(ctx: ActionContext, o: VerifyOptions, watchStream?: Hex) {
  const connection = await openChain(ctx.options, { maxResponseBodySize: LOG_RESPONSE_LIMIT });
  const result = await verifyLedgerFromChain({
    connection,
    out: ctx.out,
    ...(o.block ? { block: parseIndex(o.block, "--block") } : {}),
    decode: Boolean(o.decode),
    ...(watchStream ? { watchStream } : {}),
    ...(o.threads ? { threads: Number(o.threads) } : {}),
  });
  const list = createCheckList();
  if (result.ok) {
    list.pass(
      "ledger",
      `${result.entries.toLocaleString("en")} entries from the chain's logs recompute root() at block ${result.block} (${result.computedRoot}); fetched in ${result.fetchSeconds.toFixed(1)} s, recomputed in ${result.recomputeSeconds.toFixed(2)} s`,
    );
  } else {
    list.fail(
      "ledger",
      result.problem ?? "the logs do not recompute the chain's root",
      result.firstBadIndex ?? undefined,
    );
  }
  return { list, result, connection };
}

function report(ctx: ActionContext, list: CheckList, extra: Record<string, unknown>): ExitCode {
  const failed = list.checks.filter((c) => !c.ok);
  ctx.out.result({ ok: list.ok, firstBadIndex: list.firstBadIndex, checks: list.checks, ...extra }, () => {
    for (const c of list.checks.slice(0, 50))
      ctx.out.line(`${c.ok ? "ok  " : "FAIL"} ${c.check}${c.detail ? `: ${c.detail}` : ""}`);
    if (list.checks.length > 50) ctx.out.line(`… and ${list.checks.length - 50} more checks`);
    if (list.ok) ctx.out.line("verified: everything checks against the chain");
    else {
      ctx.out.line(
        `NOT verified: ${failed.length} check${failed.length === 1 ? "" : "s"} failed` +
          (list.firstBadIndex !== null ? `; the first bad entry is ${list.firstBadIndex}` : ""),
      );
    }
  });
  return list.ok ? exitCode.ok : exitCode.verifyFailed;
}

function parseIndex(text: string, what: string): bigint {
  if (!/^\d+$/.test(text.trim()))
    throw new CliError(`${what} "${text}" is not a whole number`, { exitCode: exitCode.usage });
  return BigInt(text.trim());
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
