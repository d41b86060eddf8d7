/**
 * An organisation: its registration (name, Unified Social Credit Code, kind, status), its
 * campaigns, and for an enterprise the CSR view — contributions by year, whether each recipient
 * confirmed it with a matching donation, and employees' volunteer hours. The profile and the CSR
 * figures come from the organisation's own stream on the ledger, checked complete in the browser.
 */
import { activityStream, orgKind, orgStream } from "@shanji/core";
import { useEffect, useMemo, useState } from "react";
import { ApiProblem, apiPath } from "../api/client.ts";
import type { CampaignSummary, Page } from "../api/domainTypes.ts";
import { checkHistory, type FullHistory, fetchStreamHistory, type StreamItem } from "../api/streamHistory.ts";
import { useApi } from "../api/useApi.ts";
import { useOrgNames } from "../api/useOrgNames.ts";
import { CampaignCard } from "../components/CampaignCard.tsx";
import { Chart } from "../components/Chart.tsx";
import { HistoryCheck } from "../components/HistoryCheck.tsx";
import { Link } from "../components/Link.tsx";
import { Stat } from "../components/Stat.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { useI18n } from "../i18n/i18n.tsx";
import { orgKindLabel } from "../i18n/labels.ts";
import { formatCount, formatHours } from "../lib/format.ts";

const kindNames = new Map<number, string>(Object.entries(orgKind).map(([name, value]) => [value, name]));

export default function OrgPage({ id }: { id: string }) {
  const { t } = useI18n();
  const valid = /^[1-9]\d{0,18}$/.test(id);
  const [state, setState] = useState<{ id: string; history?: FullHistory; error?: Error }>({ id: "" });
  useEffect(() => {
    if (!valid) return;
    const controller = new AbortController();
    fetchStreamHistory(orgStream(BigInt(id)), controller.signal).then(
      (history) => setState({ id, history }),
      (error: Error) => {
        if (!controller.signal.aborted) setState({ id, error });
      },
    );
    return () => controller.abort();
  }, [id, valid]);
  const current = state.id === id ? state : { id };
  if (!valid || current.error || (current.history && current.history.items.length === 0))
    return (
      <article className="page">
        <h1>{t("org.numbered", { id })}</h1>
        {current.error && !(current.error instanceof ApiProblem && current.error.status === 404) ? (
          <ErrorState error={current.error} />
        ) : (
          <p className="state state-error">{t("org.notFound")}</p>
        )}
      </article>
    );
  if (!current.history) return <Loading />;
  return <Org id={id} history={current.history} />;
}

type Profile = { name: string; creditCode: string; kind: string; status: "active" | "suspended"; accreditedAt: string };

function profileOf(items: StreamItem[]): Profile | undefined {
  let profile: Profile | undefined;
  // Oldest first: the accreditation, then suspensions and reinstatements in order.
  for (const item of [...items].reverse()) {
    const r = item.entry.record as Record<string, unknown>;
    if (item.kindName === "orgAccredited")
      profile = {
        name: String(r.name),
        creditCode: String(r.creditCode),
        kind: kindNames.get(r.orgKind as number) ?? String(r.orgKind),
        status: "active",
        accreditedAt: item.entry.timestamp,
      };
    else if (item.kindName === "orgSuspended" && profile) profile.status = "suspended";
    else if (item.kindName === "orgReinstated" && profile) profile.status = "active";
  }
  return profile;
}

function Org({ id, history }: { id: string; history: FullHistory }) {
  const { t, lang, date } = useI18n();
  const profile = useMemo(() => profileOf(history.items), [history]);
  const check = useMemo(() => checkHistory(history), [history]);
  const campaigns = useApi<Page<CampaignSummary>>(apiPath("/v1/campaigns", { org: id, limit: 100 }));
  if (!profile) return <Empty>{t("org.notFound")}</Empty>;
  return (
    <article className="page" data-testid="org-page">
      <p className="meta">
        {orgKindLabel(profile.kind, lang)} ·{" "}
        <span className={`tag ${profile.status === "active" ? "tag-ok" : "tag-bad"}`}>
          {profile.status === "active" ? t("org.active") : t("org.suspended")}
        </span>
      </p>
      <h1 data-testid="org-name">{profile.name}</h1>
      <dl className="pairs">
        <dt>{t("org.creditCode")}</dt>
        <dd>
          <code data-testid="org-credit-code">{profile.creditCode}</code>
        </dd>
        <dt>{t("org.accredited")}</dt>
        <dd>{date(profile.accreditedAt)}</dd>
        <dt>{t("org.records")}</dt>
        <dd>{formatCount(history.head.count)}</dd>
      </dl>
      <HistoryCheck result={check} head={history.head} />
      {profile.kind === "enterprise" ? <Csr history={history} /> : null}
      <section aria-labelledby="org-campaigns">
        <h2 id="org-campaigns">{t("org.campaigns")}</h2>
        {campaigns.loading ? <Loading /> : null}
        {campaigns.error ? <ErrorState error={campaigns.error} onRetry={campaigns.reload} /> : null}
        {campaigns.data && campaigns.data.items.length === 0 ? <Empty>{t("org.noCampaigns")}</Empty> : null}
        {campaigns.data && campaigns.data.items.length > 0 ? (
          <div className="grid grid-2">
            {campaigns.data.items.map((c) => (
              <CampaignCard key={c.campaignId} campaign={c} />
            ))}
          </div>
        ) : null}
      </section>
    </article>
  );
}

type Claim = {
  index: string;
  claimId: string;
  year: string;
  recipientOrg: string;
  amount: string;
  currency: string;
  confirmedBy: string | undefined;
};

/** Claims (contributionClaimed) and the recipients' matching donations (same claimId) from the org's stream. */
export function claimsOf(items: StreamItem[]): Claim[] {
  const confirmations = new Map<string, string>();
  for (const item of items) {
    const r = item.entry.record as Record<string, unknown>;
    if (item.kindName === "donationRecorded" && r.claimId !== "0") confirmations.set(String(r.claimId), item.index);
  }
  const claims: Claim[] = [];
  for (const item of items) {
    if (item.kindName !== "contributionClaimed") continue;
    const r = item.entry.record as Record<string, unknown>;
    const year = new Intl.DateTimeFormat("en", { timeZone: "Asia/Shanghai", year: "numeric" }).format(
      new Date(Number(item.entry.timestamp) * 1000),
    );
    claims.push({
      index: item.index,
      claimId: String(r.claimId),
      year,
      recipientOrg: String(r.recipientOrg),
      amount: String(r.amount),
      currency: String(r.currency),
      confirmedBy: confirmations.get(String(r.claimId)),
    });
  }
  return claims.sort((a, b) => (BigInt(a.index) < BigInt(b.index) ? -1 : 1));
}

function Csr({ history }: { history: FullHistory }) {
  const { t, money } = useI18n();
  const names = useOrgNames();
  const claims = useMemo(() => claimsOf(history.items), [history]);
  const activities = useMemo(
    () =>
      history.items
        .filter((i) => i.kindName === "activityRegistered")
        .map((i) => String((i.entry.record as Record<string, unknown>).activityId)),
    [history],
  );
  const [minutes, setMinutes] = useState<{ value?: bigint; error?: Error }>({});
  useEffect(() => {
    const controller = new AbortController();
    Promise.all(activities.map((a) => fetchStreamHistory(activityStream(BigInt(a)), controller.signal))).then(
      (histories) => {
        let total = 0n;
        for (const h of histories)
          for (const item of h.items) {
            const r = item.entry.record as Record<string, unknown>;
            if (item.kindName === "creditIssued") total += BigInt(r.minutes as number);
            if (item.kindName === "creditReversed") total -= BigInt(r.minutes as number);
          }
        setMinutes({ value: total });
      },
      (error: Error) => {
        if (!controller.signal.aborted) setMinutes({ error });
      },
    );
    return () => controller.abort();
  }, [activities]);
  const byYear = useMemo(() => {
    const years = new Map<string, { claimed: bigint; confirmed: bigint; currency: string }>();
    for (const c of claims) {
      const y = years.get(c.year) ?? { claimed: 0n, confirmed: 0n, currency: c.currency };
      y.claimed += BigInt(c.amount);
      if (c.confirmedBy) y.confirmed += BigInt(c.amount);
      years.set(c.year, y);
    }
    return [...years.entries()].sort(([a], [b]) => a.localeCompare(b));
  }, [claims]);
  const option = useMemo(
    () => ({
      animation: false,
      aria: { enabled: true },
      tooltip: { trigger: "axis" },
      legend: { data: [t("csr.claimed"), t("csr.confirmed")], bottom: 0 },
      grid: { left: 8, right: 8, top: 16, bottom: 40, containLabel: true },
      xAxis: { type: "category", data: byYear.map(([year]) => year) },
      // Axis ticks in yuan, by integer division of the tick (minor units).
      yAxis: { type: "value", axisLabel: { formatter: (v: number) => (BigInt(Math.round(v)) / 100n).toString() } },
      series: [
        // Bar heights only; the exact figures are in the table beside the chart.
        {
          name: t("csr.claimed"),
          type: "bar",
          data: byYear.map(([, y]) => Number(y.claimed)),
          itemStyle: { color: "#3c6e9e" },
        },
        {
          name: t("csr.confirmed"),
          type: "bar",
          data: byYear.map(([, y]) => Number(y.confirmed)),
          itemStyle: { color: "#0f5c4d" },
        },
      ],
    }),
    [byYear, t],
  );
  const confirmedCount = claims.filter((c) => c.confirmedBy).length;
  return (
    <section aria-labelledby="org-csr" data-testid="csr">
      <h2 id="org-csr">{t("csr.title")}</h2>
      <div className="stats">
        <Stat label={t("csr.contributions")} value={formatCount(claims.length)} />
        <Stat label={t("csr.confirmedCount")} value={`${confirmedCount} / ${claims.length}`} testId="csr-confirmed" />
        <Stat
          label={t("csr.hours")}
          value={minutes.value === undefined ? "…" : formatHours(minutes.value)}
          testId="csr-hours"
          note={t("csr.hoursNote", { n: activities.length })}
        />
      </div>
      {byYear.length > 0 ? (
        <Chart option={option} label={t("csr.chartLabel")} height="16rem" testId="csr-chart" />
      ) : null}
      <div className="table-scroll">
        <table data-testid="csr-table">
          <caption>{t("csr.tableCaption")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("csr.year")}</th>
              <th scope="col">{t("csr.recipient")}</th>
              <th scope="col" className="num">
                {t("csr.amount")}
              </th>
              <th scope="col">{t("csr.status")}</th>
            </tr>
          </thead>
          <tbody>
            {claims.map((c) => (
              <tr key={c.index}>
                <td>{c.year}</td>
                <td>
                  <Link to={`/orgs/${c.recipientOrg}`}>
                    {names.get(c.recipientOrg) ?? t("org.numbered", { id: c.recipientOrg })}
                  </Link>
                </td>
                <td className="num">{money(c.amount, c.currency)}</td>
                <td>
                  {c.confirmedBy ? (
                    <span className="tag tag-ok">
                      ✓ {t("csr.confirmedBy")} <Link to={`/verify?index=${c.confirmedBy}`}>#{c.confirmedBy}</Link>
                    </span>
                  ) : (
                    <span className="tag tag-warn">{t("csr.unconfirmed")}</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {minutes.error ? <ErrorState error={minutes.error} /> : null}
    </section>
  );
}
