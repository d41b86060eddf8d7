/**
 * Regulator dashboard: the API's alerts (overdue disclosures, management costs above policy,
 * restricted money spent elsewhere, large donations, …) with filters; organisations by status; and
 * the CSV exports an accountant can open, for any organisation, campaign and date range.
 */
import { type FormEvent, useId, useMemo, useState } from "react";
import { apiPath } from "../api/client.ts";
import type { OrgSummary, Page } from "../api/domainTypes.ts";
import { useApi } from "../api/useApi.ts";
import { Link } from "../components/Link.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { useI18n } from "../i18n/i18n.tsx";
import { orgKindLabel } from "../i18n/labels.ts";

/**
 * An alert as GET /v1/alerts gives it: the common fields, and those of each kind that the portal
 * words in the reader's language. A kind it does not know is shown with the API's own `detail`.
 */
export type Alert = {
  kind: string;
  orgId?: string | null;
  orgName?: string | null;
  campaignId?: string | null;
  /** ISO 8601: when the condition arose. */
  at?: string;
  /** Entry indexes that justify the alert. */
  entries?: string[];
  /** The API's own wording, in English. */
  detail?: string;
  // selfCheckFailed
  fromBlock?: string;
  toBlock?: string;
  // disclosureOverdue
  obligation?: "progress" | "final";
  status?: string;
  dueAt?: string;
  disclosedAt?: string | null;
  // managementCostRatio, programWithoutEvidence, largeDonation
  year?: number;
  currency?: string;
  administration?: string;
  total?: string;
  ratio?: string | null;
  limit?: string;
  amount?: string;
  threshold?: string;
  donorKind?: "receipt" | "organisation";
  reversedBy?: unknown;
};

export default function RegulatorPage() {
  const { t } = useI18n();
  return (
    <article className="page">
      <h1>{t("regulator.title")}</h1>
      <p className="lead">{t("regulator.intro")}</p>
      <Alerts />
      <OrgsByStatus />
      <Exports />
    </article>
  );
}

function Alerts() {
  const i18n = useI18n();
  const { t, date } = i18n;
  const alerts = useApi<{ items: Alert[] }>(apiPath("/v1/alerts", { limit: 500 }));
  const kindId = useId();
  const orgId = useId();
  const [kind, setKind] = useState("");
  const [org, setOrg] = useState("");
  const items = alerts.data?.items ?? [];
  const kinds = useMemo(() => [...new Set(items.map((a) => a.kind))].sort(), [items]);
  const orgs = useMemo(
    () => [...new Map(items.filter((a) => a.orgId).map((a) => [a.orgId as string, a.orgName ?? a.orgId])).entries()],
    [items],
  );
  const shown = items.filter((a) => (!kind || a.kind === kind) && (!org || a.orgId === org));
  return (
    <section aria-labelledby="reg-alerts">
      <h2 id="reg-alerts">{t("regulator.alerts")}</h2>
      {alerts.loading ? <Loading /> : null}
      {alerts.error ? <ErrorState error={alerts.error} onRetry={alerts.reload} /> : null}
      {alerts.data ? (
        <>
          <div className="filters panel">
            <div>
              <label htmlFor={kindId}>{t("regulator.filterKind")}</label>
              <select id={kindId} value={kind} onChange={(e) => setKind(e.target.value)}>
                <option value="">{t("regulator.all")}</option>
                {kinds.map((k) => (
                  <option key={k} value={k}>
                    {alertKindLabel(k, t)}
                  </option>
                ))}
              </select>
            </div>
            <div>
              <label htmlFor={orgId}>{t("regulator.filterOrg")}</label>
              <select id={orgId} value={org} onChange={(e) => setOrg(e.target.value)}>
                <option value="">{t("regulator.all")}</option>
                {orgs.map(([id, name]) => (
                  <option key={id} value={id}>
                    {name}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <p role="status" className="meta" data-testid="alert-count">
            {t("regulator.alertCount", { shown: shown.length, total: items.length })}
          </p>
          {shown.length === 0 ? <Empty>{t("regulator.noAlerts")}</Empty> : null}
          <ul className="list panel" data-testid="alerts">
            {shown.map((a, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: alerts have no id of their own
              <li key={i}>
                <div className="row-main">
                  <span>
                    <span className={`tag ${a.kind === "selfCheckFailed" ? "tag-bad" : "tag-warn"}`}>
                      {alertKindLabel(a.kind, t)}
                    </span>{" "}
                    {a.orgId ? (
                      <Link to={`/orgs/${a.orgId}`}>{a.orgName ?? t("org.numbered", { id: a.orgId })}</Link>
                    ) : null}
                    {a.campaignId ? (
                      <>
                        {" "}
                        · <Link to={`/campaigns/${a.campaignId}`}>{t("campaign.numbered", { id: a.campaignId })}</Link>
                      </>
                    ) : null}
                  </span>
                  {a.entries?.[0] ? <Link to={`/verify?index=${a.entries[0]}`}>{t("entry.verify")}</Link> : null}
                </div>
                <span className="meta" data-testid="alert-detail">
                  {a.at ? `${date(a.at)} · ` : ""}
                  {alertDetail(a, i18n)}
                </span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </section>
  );
}

/** The alert in the reader's language, from its fields; the API's English `detail` for a kind not known here. */
export function alertDetail(a: Alert, { t, money, date }: ReturnType<typeof useI18n>): string {
  const amount = (value: string | undefined) => (value !== undefined && a.currency ? money(value, a.currency) : "—");
  const day = (value: string | null | undefined) => (value ? date(value) : "—");
  switch (a.kind) {
    case "selfCheckFailed":
      return t("alert.detail.selfCheckFailed", { from: a.fromBlock ?? "?", to: a.toBlock ?? "?" });
    case "disclosureOverdue":
      return t(a.status === "late" ? "alert.detail.disclosureOverdue.late" : "alert.detail.disclosureOverdue.overdue", {
        obligation: t(a.obligation === "final" ? "alert.obligation.final" : "alert.obligation.progress"),
        due: day(a.dueAt),
        disclosed: day(a.disclosedAt),
      });
    case "managementCostRatio":
      return t("alert.detail.managementCostRatio", {
        year: a.year ?? "?",
        administration: amount(a.administration),
        total: amount(a.total),
        ratio: a.ratio ? percent(a.ratio) : "—",
        limit: a.limit ? percent(a.limit) : "—",
      });
    case "programWithoutEvidence":
      return t(
        a.status === "partial"
          ? "alert.detail.programWithoutEvidence.partial"
          : "alert.detail.programWithoutEvidence.none",
        { amount: amount(a.amount) },
      );
    case "largeDonation":
      return (
        t(
          a.donorKind === "organisation"
            ? "alert.detail.largeDonation.organisation"
            : "alert.detail.largeDonation.receipt",
          { amount: amount(a.amount), threshold: amount(a.threshold) },
        ) + (a.reversedBy ? t("alert.reversed") : "")
      );
    default:
      return a.detail ?? "";
  }
}

/** A decimal fraction as a percentage, on its digits (no floating point): "0.1234" → "12.34%", "0.1" → "10%". */
export function percent(fraction: string): string {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(fraction);
  if (!match) return fraction;
  const digits = `${match[2] ?? ""}00`;
  const whole = BigInt(`${match[1]}${digits.slice(0, 2)}`).toString();
  const rest = digits.slice(2).replace(/0+$/, "");
  return `${whole}${rest ? `.${rest}` : ""}%`;
}

function alertKindLabel(kind: string, t: ReturnType<typeof useI18n>["t"]): string {
  // Kinds this portal does not know yet are shown by their API name.
  const text: string | undefined = t(`alert.${kind}` as Parameters<typeof t>[0]);
  return text ?? kind;
}

function OrgsByStatus() {
  const { t, lang } = useI18n();
  const orgs = useApi<Page<OrgSummary>>(apiPath("/v1/orgs", { limit: 500 }));
  const groups = useMemo(() => {
    const by = new Map<string, OrgSummary[]>();
    for (const o of orgs.data?.items ?? []) by.set(o.status, [...(by.get(o.status) ?? []), o]);
    return [...by.entries()].sort(([a], [b]) => (a === "suspended" ? -1 : b === "suspended" ? 1 : a.localeCompare(b)));
  }, [orgs.data]);
  return (
    <section aria-labelledby="reg-orgs">
      <h2 id="reg-orgs">{t("regulator.orgs")}</h2>
      {orgs.loading ? <Loading /> : null}
      {orgs.error ? <ErrorState error={orgs.error} onRetry={orgs.reload} /> : null}
      {groups.map(([status, list]) => (
        <div key={status} className="panel" data-testid={`orgs-${status}`}>
          <h3>
            {status === "active" ? t("org.active") : status === "suspended" ? t("org.suspended") : status} (
            {list.length})
          </h3>
          <ul className="list">
            {list.map((o) => (
              <li key={o.orgId}>
                <div className="row-main">
                  <Link to={`/orgs/${o.orgId}`}>{o.name}</Link>
                  <span className="meta">{orgKindLabel(o.kind, lang)}</span>
                </div>
                <code className="meta">{o.creditCode}</code>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

const EXPORTS = ["donations", "disbursements", "credits"] as const;

function Exports() {
  const { t } = useI18n();
  const ids = { org: useId(), campaign: useId(), from: useId(), to: useId() };
  const [filters, setFilters] = useState({ org: "", campaign: "", from: "", to: "" });
  const [applied, setApplied] = useState(filters);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setApplied(filters);
  };
  const field = (name: keyof typeof filters, type: string, label: string) => (
    <div>
      <label htmlFor={ids[name]}>{label}</label>
      <input
        id={ids[name]}
        name={name}
        type={type}
        inputMode={type === "text" ? "numeric" : undefined}
        value={filters[name]}
        onChange={(e) => setFilters({ ...filters, [name]: e.target.value })}
      />
    </div>
  );
  return (
    <section aria-labelledby="reg-exports">
      <h2 id="reg-exports">{t("regulator.exports")}</h2>
      <p className="hint">{t("regulator.exportsHint")}</p>
      <form className="filters panel" onSubmit={submit}>
        {field("org", "text", t("regulator.exportOrg"))}
        {field("campaign", "text", t("regulator.exportCampaign"))}
        {field("from", "date", t("regulator.exportFrom"))}
        {field("to", "date", t("regulator.exportTo"))}
        <button type="submit" className="button secondary">
          {t("regulator.apply")}
        </button>
      </form>
      <ul className="list" data-testid="exports">
        {EXPORTS.map((name) => (
          <li key={name}>
            <a
              className="button"
              href={apiPath(`/v1/exports/${name}.csv`, {
                org: applied.org.trim(),
                campaign: applied.campaign.trim(),
                from: applied.from,
                to: applied.to,
              })}
              download
            >
              {t(`regulator.export.${name}`)}
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
