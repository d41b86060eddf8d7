import { expect, test } from "vitest";
import { accreditOrg, deploySystem, makeCreditCode, orgKind, readEntries } from "./_fixture/deploySystem.ts";
test("smoke", async () => {
  const t0 = Date.now();
  const system = await deploySystem();
  console.log("deploy ms", Date.now() - t0);
  expect(await system.log.read.size()).toBe(3n);
  const org = await accreditOrg(system, { kind: orgKind.Charity, name: "Test Foundation" });
  console.log(org.orgId, org.creditCode, makeCreditCode(orgKind.Enterprise, 7));
  const entries = await readEntries(system);
  console.log(entries.map((e) => e.index));
  const t1 = Date.now();
  await deploySystem();
  console.log("deploy2 ms", Date.now() - t1);
});
