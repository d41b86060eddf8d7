import { expect, test } from "vitest";
import { generatePrivateKey, privateKeyToAccount } from "viem/accounts";
import { deploySystem, orgKind, accreditOrg } from "./_fixture/deploySystem.ts";

test("experiment", async () => {
  const t0 = Date.now();
  const s = await deploySystem();
  console.log("deploy", Date.now() - t0);
  const acct = privateKeyToAccount(generatePrivateKey());
  await s.networkHelpers.setBalance(acct.address, 10n ** 20n);
  const org = await accreditOrg(s, { kind: orgKind.Enterprise, name: "E" });
  const t1 = Date.now();
  try {
    await s.charity.write.openCampaign([{ currency: "0x434e59", target: 0n, startTime: 0n, endTime: 0n, filingNumber: `0x${"00".repeat(32)}`, descriptionHash: `0x${"11".repeat(32)}`, purposeTags: [] }], { account: acct });
  } catch (e) {
    let c: any = e; let d = 0;
    while (c) { console.log(d++, c.name, c.raw, c.data?.errorName, c.signature); c = c.cause; }
  }
  console.log("local revert", Date.now() - t1);
  const t2 = Date.now();
  try {
    await s.charity.write.openCampaign([{ currency: "0x434e59", target: 0n, startTime: 0n, endTime: 0n, filingNumber: `0x${"00".repeat(32)}`, descriptionHash: `0x${"11".repeat(32)}`, purposeTags: [] }], { account: org.operators[0]!.account });
  } catch (e) {
    let c: any = e; let d = 0;
    while (c) { console.log(d++, c.name, c.raw, c.data?.errorName, c.signature); c = c.cause; }
  }
  console.log("rpc revert", Date.now() - t2);
  const snap = await s.networkHelpers.takeSnapshot();
  const t3 = Date.now();
  await s.registry.write.addOperator([org.orgId, acct.address], { account: org.admin.account });
  console.log("write ok", Date.now() - t3);
  const t4 = Date.now();
  await snap.restore();
  console.log("restore", Date.now() - t4, await s.registry.read.keyInfo([acct.address]));
  const t5 = Date.now();
  const h = await s.registry.write.addOperator([org.orgId, acct.address], { account: org.admin.account });
  await s.registry.write.accredit([2, "0x000000000000000000000000000000000000", "x", `0x${"00".repeat(32)}`, acct.address, false]).catch(e=>console.log(e.cause?.raw, e.cause?.data?.errorName));
  console.log("write2", Date.now() - t5, h, await s.registry.read.keyInfo([acct.address]));
  expect(1).toBe(1);
});
