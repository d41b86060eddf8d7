/** One ledger entry in a list: what it is, its amount when it has one, when, and a link to verify it. */
import type { EntryAnswer } from "../api/types.ts";
import { useI18n } from "../i18n/i18n.tsx";
import { kindLabel } from "../i18n/labels.ts";
import { formatCount } from "../lib/format.ts";
import { Link } from "./Link.tsx";

export function EntryLine({ entry }: { entry: EntryAnswer }) {
  const { t, lang, money, date } = useI18n();
  const record = entry.entry.record as Record<string, unknown>;
  const amount = typeof record.amount === "string" ? record.amount : undefined;
  const currency = typeof record.currency === "string" ? record.currency : undefined;
  const campaignId = typeof record.campaignId === "string" && record.campaignId !== "0" ? record.campaignId : undefined;
  return (
    <li>
      <div className="row-main">
        <span>
          <strong>{kindLabel(entry.kindName, lang)}</strong>
          {amount && currency ? <> · {money(amount, currency)}</> : null}
          {campaignId ? (
            <>
              {" "}
              · <Link to={`/campaigns/${campaignId}`}>{t("campaign.numbered", { id: campaignId })}</Link>
            </>
          ) : null}
        </span>
        <Link to={`/verify?index=${entry.index}`} aria-label={t("entry.verifyLabel", { index: entry.index })}>
          {t("entry.verify")}
        </Link>
      </div>
      <span className="meta">
        #{formatCount(entry.index)} · {date(entry.entry.timestamp, true)} ·{" "}
        {t("entry.block", { block: formatCount(entry.blockNumber) })}
      </span>
    </li>
  );
}
