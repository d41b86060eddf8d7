/** A campaign at a glance: name, organisation, raised against target, balance. */
import type { CampaignSummary } from "../api/domainTypes.ts";
import { useI18n } from "../i18n/i18n.tsx";
import { basisPoints, formatPercent } from "../lib/format.ts";
import { useCampaignTitle } from "./CampaignTitle.tsx";
import { Link } from "./Link.tsx";

export function CampaignCard({ campaign }: { campaign: CampaignSummary }) {
  const { t, money } = useI18n();
  const { title } = useCampaignTitle(campaign);
  const hasTarget = campaign.target !== "0";
  const percent = hasTarget ? formatPercent(campaign.raised, campaign.target) : null;
  return (
    <div className="card">
      <h3 className="card-title">
        <Link to={`/campaigns/${campaign.campaignId}`}>{title}</Link>
      </h3>
      <p className="meta">
        {campaign.orgName ?? t("org.numbered", { id: campaign.orgId })} ·{" "}
        {campaign.status === "open" ? t("campaign.open") : t("campaign.closed")}
      </p>
      <p>
        {t("campaign.raisedOf", {
          raised: money(campaign.raised, campaign.currency),
          target: hasTarget ? money(campaign.target, campaign.currency) : t("campaign.noTarget"),
        })}
      </p>
      {hasTarget ? (
        <div
          className="progress"
          role="progressbar"
          aria-label={t("campaign.progressLabel")}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.min(100, Math.floor(basisPoints(campaign.raised, campaign.target) / 100))}
          aria-valuetext={percent ?? ""}
        >
          <span style={{ width: `${Math.min(100, basisPoints(campaign.raised, campaign.target) / 100)}%` }} />
        </div>
      ) : null}
      <p className="meta">{t("campaign.balanceIs", { balance: money(campaign.balance, campaign.currency) })}</p>
    </div>
  );
}
