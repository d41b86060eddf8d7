/**
 * How fresh the portal's data is: in sync with the chain, N blocks behind, or the chain head
 * unknown. Every page shows it, so a donor whose donation is not yet listed sees why.
 */
import { useStatus } from "../api/useStatus.ts";
import { useI18n } from "../i18n/i18n.tsx";
import { formatCount } from "../lib/format.ts";

/** Behind by more than this many blocks is worth a warning colour. */
const WARN_LAG = 5n;

export function LedgerBadge() {
  const { t } = useI18n();
  const { status, error } = useStatus();
  let tone: "ok" | "warn" | "bad" | "idle" = "idle";
  let text = t("badge.loading");
  if (status) {
    if (status.lag === null) {
      tone = "warn";
      text = t("badge.headUnknown", { block: formatCount(status.indexedBlock) });
    } else if (BigInt(status.lag) <= WARN_LAG) {
      tone = "ok";
      text = BigInt(status.lag) === 0n ? t("badge.synced") : t("badge.lagSmall", { lag: formatCount(status.lag) });
    } else {
      tone = "warn";
      text = t("badge.lag", { lag: formatCount(status.lag) });
    }
  } else if (error) {
    tone = "bad";
    text = t("badge.error");
  }
  return (
    <span className={`badge badge-${tone}`} role="status" aria-live="polite" data-testid="ledger-badge">
      <span className="badge-dot" aria-hidden="true" />
      {text}
    </span>
  );
}
