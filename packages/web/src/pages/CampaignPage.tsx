/**
 * A campaign: balance, raised against target, spending by category, the management-cost ratio
 * against the organisation's policy, a Sankey chart of where the money went (following grants into
 * other organisations), the expenses with their evidence, and the disclosure timeline.
 */
import { useMemo, useState } from "react";
import { apiPath, getJson } from "../api/client.ts";
import type { CampaignDetail, CampaignEntry, CampaignFlow, Page } from "../api/domainTypes.ts";
import { useApi } from "../api/useApi.ts";
import { useOrgNames } from "../api/useOrgNames.ts";
import { useCampaignTitle } from "../components/CampaignTitle.tsx";
import { Chart, preloadCharts } from "../components/Chart.tsx";
import { EvidenceLinks, evidenceUrl } from "../components/EvidenceLinks.tsx";
import { Link } from "../components/Link.tsx";
import { Stat } from "../components/Stat.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { type I18n, useI18n } from "../i18n/i18n.tsx";
import { categoryLabel, disclosureLabel, kindLabel, opinionLabel } from "../i18n/labels.ts";
import type { MessageKey } from "../i18n/messages.ts";
import { basisPoints, formatCount, formatPercent } from "../lib/format.ts";

// Every campaign page draws the Sankey chart: fetch ECharts while the campaign's data loads.
preloadCharts();

const CATEGORY_BY_NUMBER: Record<string, "program" | "administration" | "fundraising"> = {
  "1": "program",
  "2": "administration",
  "3": "fundraising",
};

export default function CampaignPage({ id }: { id: string }) {
  const { t } = useI18n();
  const detail = useApi<CampaignDetail>(`/v1/campaigns/${encodeURIComponent(id)}`);
  if (detail.loading) return <Loading />;
  if (detail.error || !detail.data)
    return (
      <article className="page">
        <h1>{t("campaign.numbered", { id })}</h1>
        <ErrorState error={detail.error ?? new Error("?")} onRetry={detail.reload} />
      </article>
    );
  return <Campaign campaign={detail.data} />;
}

function Campaign({ campaign }: { campaign: CampaignDetail }) {
  const { t, lang, money, date } = useI18n();
  const { title, text } = useCampaignTitle(campaign);
  const c = campaign.currency;
  const spent = campaign.totals.spent;
  const spentTotal = BigInt(spent.program) + BigInt(spent.administration) + BigInt(spent.fundraising);
  const hasTarget = campaign.target !== "0";
  return (
    <article className="page" data-testid="campaign-page">
      <p className="meta">
        <Link to={`/orgs/${campaign.orgId}`}>{campaign.orgName ?? t("org.numbered", { id: campaign.orgId })}</Link> ·{" "}
        {campaign.status === "open" ? t("campaign.open") : t("campaign.closed")}
        {campaign.filingNumber ? <> · {t("campaign.filing", { number: campaign.filingNumber })}</> : null}
      </p>
      <h1 data-testid="campaign-title">{title}</h1>
      <p className="meta">
        {t("campaign.period", {
          start: date(campaign.startTime),
          end: campaign.endTime ? date(campaign.endTime) : t("campaign.openEnded"),
        })}
      </p>
      {text ? <p className="lead">{text}</p> : null}
      <div className="stats">
        <Stat label={t("campaign.balance")} value={money(campaign.balance, c)} testId="campaign-balance" />
        <Stat
          label={t("campaign.raised")}
          value={money(campaign.raised, c)}
          note={
            hasTarget
              ? t("campaign.ofTarget", {
                  target: money(campaign.target, c),
                  percent: formatPercent(campaign.raised, campaign.target) ?? "—",
                })
              : t("campaign.noTarget")
          }
        />
        <Stat label={t("campaign.spent")} value={money(spentTotal, c)} />
        <Stat
          label={t("campaign.mgmtRatio")}
          value={campaign.managementCost.ratio === null ? "—" : ratioPercent(campaign.managementCost.ratio)}
          note={t("campaign.mgmtLimit", { limit: ratioPercent(campaign.managementCost.limit) })}
        />
      </div>
      {hasTarget ? (
        <div
          className="progress"
          role="progressbar"
          aria-label={t("campaign.progressLabel")}
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={Math.min(100, Math.floor(basisPoints(campaign.raised, campaign.target) / 100))}
        >
          <span style={{ width: `${Math.min(100, basisPoints(campaign.raised, campaign.target) / 100)}%` }} />
        </div>
      ) : null}

      <section aria-labelledby="c-spending">
        <h2 id="c-spending">{t("campaign.byCategory")}</h2>
        <ul className="bars" data-testid="spending-by-category">
          {(["program", "administration", "fundraising"] as const).map((category) => (
            <li key={category}>
              <div className="row-main">
                <span>{categoryLabel(category, lang)}</span>
                <span>
                  {money(spent[category], c)}{" "}
                  <span className="meta">{formatPercent(spent[category], spentTotal) ?? ""}</span>
                </span>
              </div>
              <div className="progress" aria-hidden="true">
                <span style={{ width: `${basisPoints(spent[category], spentTotal) / 100}%` }} />
              </div>
            </li>
          ))}
        </ul>
        <ManagementCostNote campaign={campaign} />
      </section>

      <FlowSection campaign={campaign} />
      <Expenses campaign={campaign} />
      <Disclosures campaign={campaign} />
    </article>
  );
}

/** "0.1000" → "10.00%", by string arithmetic on the four decimals. */
function ratioPercent(ratio: string): string {
  const [units = "0", fraction = ""] = ratio.split(".");
  const digits = `${units}${fraction.padEnd(4, "0").slice(0, 4)}`; // ten-thousandths
  const value = BigInt(digits);
  return `${value / 100n}.${(value % 100n).toString().padStart(2, "0")}%`;
}

function ManagementCostNote({ campaign }: { campaign: CampaignDetail }) {
  const { t, money } = useI18n();
  const m = campaign.managementCost;
  const source = t(`campaign.policy.${m.policySource}` as MessageKey);
  return (
    <div className={`notice ${m.exceedsLimit ? "notice-warn" : "notice-info"}`} data-testid="management-cost">
      <p>
        {m.ratio === null
          ? t("campaign.mgmtNothing")
          : t(m.exceedsLimit ? "campaign.mgmtExceeds" : "campaign.mgmtWithin", {
              ratio: ratioPercent(m.ratio),
              limit: ratioPercent(m.limit),
              admin: money(m.administration, campaign.currency),
              total: money(m.total, campaign.currency),
            })}
      </p>
      <p className="meta">
        {t("campaign.mgmtPolicy", { source })}
        {m.exemptBelow ? ` ${t("campaign.mgmtExempt", { amount: money(m.exemptBelow, campaign.currency) })}` : ""}
      </p>
    </div>
  );
}

function nodeLabel(node: CampaignFlow["nodes"][number], orgs: Map<string, string>, i18n: I18n): string {
  const { t, lang } = i18n;
  const org = node.orgId ? (orgs.get(node.orgId) ?? t("org.numbered", { id: node.orgId })) : "";
  switch (node.kind) {
    case "donors":
      return t("flow.donors");
    case "orgDonor":
      return org;
    case "grantSource":
      return t("flow.grantFrom", { campaign: node.campaignId ?? "?" });
    case "campaign":
      return node.depth === 0
        ? t("flow.thisCampaign")
        : `${org ? `${org} · ` : ""}${t("campaign.numbered", { id: node.campaignId ?? "?" })}`;
    case "spending": {
      const label = categoryLabel(node.category ?? "program", lang);
      return node.depth === 0 ? label : `${label} (#${node.campaignId})`;
    }
    case "unspent":
      return node.depth === 0 ? t("flow.unspent") : `${t("flow.unspent")} (#${node.campaignId})`;
    case "reversed":
      return t("flow.reversed");
  }
}

function FlowSection({ campaign }: { campaign: CampaignDetail }) {
  const i18n = useI18n();
  const { t, money } = i18n;
  const flow = useApi<CampaignFlow>(`/v1/campaigns/${campaign.campaignId}/flow`);
  const names = useOrgNames();
  const labelled = useMemo(() => {
    if (!flow.data) return undefined;
    const labels = new Map(flow.data.nodes.map((n) => [n.id, nodeLabel(n, names, i18n)]));
    return { labels, flow: flow.data };
  }, [flow.data, names, i18n]);
  const option = useMemo(() => {
    if (!labelled) return undefined;
    const { labels, flow: f } = labelled;
    const amountOf = new Map(f.links.map((l) => [`${l.source}>${l.target}`, l.amount]));
    return {
      animation: false,
      aria: { enabled: true },
      tooltip: {
        trigger: "item",
        formatter: (p: { dataType: string; name: string; data: { source?: string; target?: string } }) => {
          if (p.dataType === "edge" && p.data.source && p.data.target) {
            const amount = amountOf.get(`${p.data.source}>${p.data.target}`) ?? "0";
            return `${labels.get(p.data.source)} → ${labels.get(p.data.target)}<br/>${money(amount, f.currency)}`;
          }
          return labels.get(p.name) ?? p.name;
        },
      },
      series: [
        {
          type: "sankey",
          left: 8,
          right: window.innerWidth < 600 ? 90 : 190,
          top: 8,
          bottom: 8,
          nodeGap: 10,
          emphasis: { focus: "adjacency" },
          lineStyle: { color: "gradient", opacity: 0.4 },
          label: {
            formatter: (p: { name: string }) => labels.get(p.name) ?? p.name,
            fontSize: 12,
            color: "#1b1f1e",
            // Long names are cut on a phone; the table below has them whole.
            width: window.innerWidth < 600 ? 84 : 180,
            overflow: "truncate",
          },
          data: f.nodes.map((n) => ({
            name: n.id,
            itemStyle: { color: NODE_COLOURS[n.kind] },
          })),
          // Link widths only: the figures people read are formatted from the exact amounts.
          links: f.links.map((l) => ({ source: l.source, target: l.target, value: Number(l.amount) })),
        },
      ],
    };
  }, [labelled, money]);
  return (
    <section aria-labelledby="c-flow">
      <h2 id="c-flow">{t("flow.title")}</h2>
      <p className="hint">{t("flow.intro")}</p>
      {flow.loading ? <Loading /> : null}
      {flow.error ? <ErrorState error={flow.error} onRetry={flow.reload} /> : null}
      {option && labelled ? (
        <>
          <Chart option={option} label={t("flow.chartLabel")} testId="flow-chart" />
          {labelled.flow.truncated ? <p className="notice notice-warn">{t("flow.truncated")}</p> : null}
          <details className="panel">
            <summary>{t("flow.table")}</summary>
            <div className="table-scroll">
              <table>
                <caption className="visually-hidden">{t("flow.table")}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t("flow.from")}</th>
                    <th scope="col">{t("flow.to")}</th>
                    <th scope="col" className="num">
                      {t("flow.amount")}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {labelled.flow.links.map((l) => (
                    <tr key={`${l.source}>${l.target}`}>
                      <td>{labelled.labels.get(l.source)}</td>
                      <td>{labelled.labels.get(l.target)}</td>
                      <td className="num">{money(l.amount, labelled.flow.currency)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      ) : null}
    </section>
  );
}

const NODE_COLOURS: Record<CampaignFlow["nodes"][number]["kind"], string> = {
  donors: "#2f7d68",
  orgDonor: "#3c6e9e",
  grantSource: "#6a5aa6",
  campaign: "#0f5c4d",
  spending: "#c26a00",
  unspent: "#8a9a96",
  reversed: "#a3161c",
};

function Expenses({ campaign }: { campaign: CampaignDetail }) {
  const { t, lang, money, date } = useI18n();
  const first = apiPath(`/v1/campaigns/${campaign.campaignId}/entries`, { kind: "disbursementRecorded", limit: 20 });
  const page = useApi<Page<CampaignEntry>>(first);
  const [more, setMore] = useState<{ items: CampaignEntry[]; next: string | null } | undefined>();
  const [loadingMore, setLoadingMore] = useState(false);
  const items = [...(page.data?.items ?? []), ...(more?.items ?? [])];
  const next = more ? more.next : (page.data?.nextCursor ?? null);
  const loadMore = async () => {
    if (!next) return;
    setLoadingMore(true);
    try {
      const answer = await getJson<Page<CampaignEntry>>(
        apiPath(`/v1/campaigns/${campaign.campaignId}/entries`, {
          kind: "disbursementRecorded",
          limit: 20,
          cursor: next,
        }),
      );
      setMore({ items: [...(more?.items ?? []), ...answer.items], next: answer.nextCursor });
    } finally {
      setLoadingMore(false);
    }
  };
  return (
    <section aria-labelledby="c-expenses">
      <h2 id="c-expenses">{t("campaign.expenses")}</h2>
      {page.loading ? <Loading /> : null}
      {page.error ? <ErrorState error={page.error} onRetry={page.reload} /> : null}
      {page.data && items.length === 0 ? <Empty>{t("campaign.noExpenses")}</Empty> : null}
      {items.length > 0 ? (
        <ul className="list panel" data-testid="expenses">
          {items.map((e) => {
            const r = e.entry;
            const category = CATEGORY_BY_NUMBER[String(r.category)] ?? "program";
            const isGrant = String(r.payeeKind) === "1";
            return (
              <li key={e.index}>
                <div className="row-main">
                  <span>
                    <strong>{money(String(r.amount), String(r.currency))}</strong> · {categoryLabel(category, lang)}
                    {isGrant ? (
                      <>
                        {" "}
                        · {t("campaign.grantTo")}{" "}
                        <Link to={`/campaigns/${String(r.payeeCampaignId)}`}>
                          {t("campaign.numbered", { id: String(r.payeeCampaignId) })}
                        </Link>
                      </>
                    ) : null}
                    {e.reversedBy ? <span className="tag tag-warn">{t("campaign.reversed")}</span> : null}
                  </span>
                  <Link to={`/verify?index=${e.index}`} aria-label={t("entry.verifyLabel", { index: e.index })}>
                    {t("entry.verify")}
                  </Link>
                </div>
                <span className="meta">
                  #{formatCount(e.index)} · {date(e.time)} · {t("campaign.evidence")}{" "}
                  <EvidenceLinks hashes={Array.isArray(r.evidence) ? (r.evidence as string[]) : []} />
                </span>
              </li>
            );
          })}
        </ul>
      ) : null}
      {next ? (
        <button type="button" className="button secondary" onClick={loadMore} disabled={loadingMore}>
          {t("action.more")}
        </button>
      ) : null}
      <p className="hint">{t("campaign.kindsHint", { kind: kindLabel("disbursementRecorded", lang) })}</p>
    </section>
  );
}

function Disclosures({ campaign }: { campaign: CampaignDetail }) {
  const { t, lang, date } = useI18n();
  const d = campaign.disclosures;
  return (
    <section aria-labelledby="c-disclosures">
      <h2 id="c-disclosures">{t("campaign.disclosures")}</h2>
      {d.overdue ? (
        <p className="notice notice-warn" data-testid="disclosure-overdue">
          {t("campaign.disclosureOverdue")}
        </p>
      ) : null}
      {d.timeline.length === 0 ? <Empty>{t("campaign.noDisclosures")}</Empty> : null}
      {d.timeline.length > 0 ? (
        <ol className="trace" data-testid="disclosure-timeline">
          {d.timeline.map((item) => (
            <li key={item.index}>
              <strong>{disclosureLabel(item.kind, lang)}</strong> · {date(item.time)}
              <br />
              <span className="meta">
                {t("campaign.period", { start: date(item.periodStart), end: date(item.periodEnd) })} ·{" "}
                <a href={evidenceUrl(item.report.sha256)} target="_blank" rel="noopener">
                  {t("campaign.report")}
                </a>{" "}
                · <Link to={`/verify?index=${item.index}`}>{t("entry.verify")}</Link>
              </span>
            </li>
          ))}
        </ol>
      ) : null}
      {d.obligations.length > 0 ? (
        <>
          <h3>{t("campaign.obligations")}</h3>
          <ul className="list">
            {d.obligations.map((o) => (
              <li key={`${o.obligation}-${o.dueAt}`}>
                <div className="row-main">
                  <span>
                    {o.obligation === "final" ? t("campaign.finalDue") : t("campaign.progressDue")} · {date(o.dueAt)}
                  </span>
                  <span
                    className={`tag ${o.status === "overdue" ? "tag-bad" : o.status === "late" ? "tag-warn" : o.status === "met" ? "tag-ok" : ""}`}
                  >
                    {t(`obligation.${o.status}` as MessageKey)}
                  </span>
                </div>
              </li>
            ))}
          </ul>
          <p className="hint">{t("campaign.obligationsHint", { asOf: date(d.asOf) })}</p>
        </>
      ) : null}
      {campaign.attestations.length > 0 ? (
        <>
          <h3>{t("campaign.attestations")}</h3>
          <ul className="list">
            {campaign.attestations.map((a) => (
              <li key={a.index}>
                {a.orgName ?? t("org.numbered", { id: a.orgId })} · {opinionLabel(a.opinion, lang)} · {date(a.time)} ·{" "}
                <a href={evidenceUrl(a.report.sha256)} target="_blank" rel="noopener">
                  {t("campaign.report")}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}
