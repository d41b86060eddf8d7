// Hardhat Ignition module "Shanji": deploys the whole system in one command on any network —
// TransparencyLog, Registry, CharityLedger, VolunteerCredit — and makes the three modules writers
// of the log. Run it with:
//
//   npx hardhat ignition deploy ignition/modules/Shanji.ts --network localhost
//
// Parameters (pass a JSON file with --parameters, keyed by module id "Shanji"):
//   governance             governance admin of the log and the registry (default: account 0)
//   governanceDelay        seconds a transfer of the governance admin must wait (default: 2 days)
//   orgAdminTransferDelay  seconds an organisation's admin transfer must wait (default: 2 days)
//
// The three setWriter calls must come from the governance admin, but Ignition only accepts an
// account index or a literal address as a call's `from`, never a module parameter. So they are
// sent by the default sender (account 0): when `governance` is another account, also pass
// `--default-sender <governance>`. When governance cannot sign here (a multisig), the deployment
// stops at the first setWriter with AccessControlUnauthorizedAccount and governance sends the
// three calls itself.
import { buildModule } from "@nomicfoundation/hardhat-ignition/modules";

const TWO_DAYS = 2 * 24 * 60 * 60;

export default buildModule("Shanji", (m) => {
  const governance = m.getParameter("governance", m.getAccount(0));
  const governanceDelay = m.getParameter("governanceDelay", TWO_DAYS);
  const orgAdminTransferDelay = m.getParameter("orgAdminTransferDelay", TWO_DAYS);

  const log = m.contract("TransparencyLog", [governanceDelay, governance]);
  const registry = m.contract("Registry", [log, governanceDelay, governance, orgAdminTransferDelay]);
  const charityLedger = m.contract("CharityLedger", [registry, log]);
  const volunteerCredit = m.contract("VolunteerCredit", [registry, log]);

  // Each call appends one WRITER_SET entry to the log. Ignition sends the calls of one batch in no
  // documented order; chaining them fixes the log's first three entries on every network.
  const registryWriter = m.call(log, "setWriter", [registry, true], { id: "SetWriterRegistry" });
  const charityWriter = m.call(log, "setWriter", [charityLedger, true], {
    id: "SetWriterCharityLedger",
    after: [registryWriter],
  });
  m.call(log, "setWriter", [volunteerCredit, true], { id: "SetWriterVolunteerCredit", after: [charityWriter] });

  return { log, registry, charityLedger, volunteerCredit };
});
