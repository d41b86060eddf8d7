import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { recordStream, transparencyLogAbi } from "@shanji/core";
import solc from "solc";
import { afterAll, beforeAll, expect, test } from "vitest";
import { type Ledger, startLedger } from "../_test/cliFixture.ts";
import { RECORDED_REFS_READER_BYTECODE, recordedRefs } from "./recordedRefs.ts";
import { externalRefOf } from "./validateRows.ts";

const ROOT = fileURLToPath(new URL("../../../../", import.meta.url));
const SOURCE = "packages/cli/src/import/RecordedRefsReader.sol";

test("behavior: the reader's bytecode is RecordedRefsReader.sol compiled", async () => {
  const input = {
    language: "Solidity",
    sources: { [SOURCE]: { content: await readFile(join(ROOT, SOURCE), "utf8") } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "cancun",
      metadata: { appendCBOR: false },
      outputSelection: { "*": { "*": ["evm.bytecode.object"] } },
    },
  };
  const imports: Record<string, string> = {};
  for (const path of ["contracts/interfaces/ITransparencyLog.sol", "contracts/libraries/Entries.sol"])
    imports[path] = await readFile(join(ROOT, path), "utf8");
  const output = JSON.parse(
    solc.compile(JSON.stringify(input), {
      import: (path: string) => (path in imports ? { contents: imports[path] as string } : { error: "not found" }),
    }),
  );
  expect(solc.version()).toMatch(/^0\.8\.34\+/);
  expect(output.errors ?? []).toEqual([]);
  expect(`0x${output.contracts[SOURCE].RecordedRefsReader.evm.bytecode.object}`).toBe(RECORDED_REFS_READER_BYTECODE);
}, 60_000);

let ledger: Ledger;
beforeAll(async () => {
  ledger = await startLedger();
});
afterAll(async () => {
  await ledger?.stop();
});

test("behavior: finds exactly the recorded refs among thousands, across calls, and only for their organisation", async () => {
  const campaign = await ledger.openCampaign();
  const file = join(ledger.dir, "refs.csv");
  const ids = ["R-1", "R-2", "R-3"];
  await writeFile(
    file,
    `row_id,campaign,amount,date,channel\n${ids.map((id) => `${id},${campaign},10.00,2026-11-01,cash`).join("\n")}\n`,
  );
  const before = await ledger.deployed.publicClient.getBlockNumber({ cacheTime: 0 });
  const run = await ledger.run(["--json", "--key", "charity", "import", "donations", file]);
  expect(run.code, run.stderr).toBe(0);

  const recordedIds = new Set(ids);
  // 4,500 unrecorded rows around them: five eth_calls, with recorded rows in the first and the last.
  const all = [
    "R-1",
    ...Array.from({ length: 2_500 }, (_, i) => `N-${i}`),
    "R-2",
    ...Array.from({ length: 2_000 }, (_, i) => `M-${i}`),
    "R-3",
  ];
  const refs = all.map((id) => externalRefOf("donations", id));
  const { log } = ledger.deployed.addresses;
  const found = await recordedRefs({ rpcUrl: ledger.url, log, orgId: ledger.charity.orgId, refs });
  expect([...found].sort()).toEqual(
    all
      .filter((id) => recordedIds.has(id))
      .map((id) => externalRefOf("donations", id))
      .sort(),
  );

  // The same as reading each stream head on its own.
  for (const ref of refs.slice(0, 3)) {
    const head = await ledger.deployed.publicClient.readContract({
      address: log,
      abi: transparencyLogAbi,
      functionName: "streamHead",
      args: [recordStream(ledger.charity.orgId, ref)],
    });
    expect(found.has(ref)).toBe(head.count > 0n);
  }
  // Another organisation has recorded none of these refs; and at a block before the import, neither had this one.
  expect((await recordedRefs({ rpcUrl: ledger.url, log, orgId: ledger.volunteers.orgId, refs })).size).toBe(0);
  const earlier = await recordedRefs({ rpcUrl: ledger.url, log, orgId: ledger.charity.orgId, refs, block: before });
  expect(earlier.size).toBe(0);
});
