/**
 * Volunteer lookup: a volunteer's code (the pseudonym on their certificate) gives their service
 * hours, points, redemptions and certificates — from the volunteer's stream on the ledger, checked
 * complete and proven in the browser. Each certificate opens as a printable page with a QR code.
 */
import { volunteerStream } from "@shanji/core";
import { useEffect, useMemo, useState } from "react";
import { checkHistory, type FullHistory, fetchStreamHistory, type StreamItem } from "../api/streamHistory.ts";
import { useOrgNames } from "../api/useOrgNames.ts";
import { CodeForm } from "../components/CodeForm.tsx";
import { HistoryCheck } from "../components/HistoryCheck.tsx";
import { Link } from "../components/Link.tsx";
import { Stat } from "../components/Stat.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { useI18n } from "../i18n/i18n.tsx";
import { formatCount, formatDay, formatHours } from "../lib/format.ts";
import { navigate, useLocation } from "../lib/router.ts";

const CODE = /^0x[0-9a-f]{64}$/;

export default function VolunteerPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const code = (query.get("code") ?? "").trim().toLowerCase();
  const valid = CODE.test(code);
  const [state, setState] = useState<{ code: string; history?: FullHistory; error?: Error }>({ code: "" });
  useEffect(() => {
    if (!valid) return;
    const controller = new AbortController();
    fetchStreamHistory(volunteerStream(code as `0x${string}`), controller.signal).then(
      (history) => setState({ code, history }),
      (error: Error) => {
        if (!controller.signal.aborted) setState({ code, error });
      },
    );
    return () => controller.abort();
  }, [code, valid]);
  const current = state.code === code ? state : { code };
  return (
    <article className="page">
      <h1>{t("volunteer.title")}</h1>
      <p className="lead">{t("volunteer.intro")}</p>
      <CodeForm
        initial={code}
        name="code"
        label="volunteer.codeLabel"
        hint="volunteer.codeHint"
        button="volunteer.lookup"
        onSubmit={(next) => navigate(`/volunteers?code=${encodeURIComponent(next)}`)}
      />
      {code && !valid ? (
        <p className="state state-error" role="alert">
          {t("volunteer.badCode")}
        </p>
      ) : null}
      {valid && !current.history && !current.error ? <Loading /> : null}
      {current.error ? <ErrorState error={current.error} /> : null}
      {current.history ? <VolunteerRecord code={code} history={current.history} /> : null}
    </article>
  );
}

type Totals = {
  minutes: bigint;
  pointsIssued: bigint;
  pointsReversed: bigint;
  pointsRedeemed: bigint;
  credits: StreamItem[];
  redemptions: StreamItem[];
  certificates: StreamItem[];
  corrections: StreamItem[];
};

/** The volunteer's figures from their entries, in integers: service, corrections, redemptions. */
export function volunteerTotals(items: StreamItem[]): Totals {
  const totals: Totals = {
    minutes: 0n,
    pointsIssued: 0n,
    pointsReversed: 0n,
    pointsRedeemed: 0n,
    credits: [],
    redemptions: [],
    certificates: [],
    corrections: [],
  };
  for (const item of items) {
    const r = item.entry.record as Record<string, unknown>;
    switch (item.kindName) {
      case "creditIssued":
        totals.minutes += BigInt(r.minutes as number);
        totals.pointsIssued += BigInt(r.points as string);
        totals.credits.push(item);
        break;
      case "creditReversed":
        totals.minutes -= BigInt(r.minutes as number);
        totals.pointsReversed += BigInt(r.points as string);
        totals.corrections.push(item);
        break;
      case "creditRedeemed":
        totals.pointsRedeemed += BigInt(r.points as string);
        totals.redemptions.push(item);
        break;
      case "certificateIssued":
        totals.certificates.push(item);
        break;
    }
  }
  return totals;
}

function VolunteerRecord({ code, history }: { code: string; history: FullHistory }) {
  const { t, lang, date } = useI18n();
  const names = useOrgNames();
  const orgName = (id: string) => names.get(id) ?? t("org.numbered", { id });
  const totals = useMemo(() => volunteerTotals(history.items), [history]);
  const check = useMemo(() => checkHistory(history), [history]);
  if (history.items.length === 0) return <Empty>{t("volunteer.none")}</Empty>;
  const points = totals.pointsIssued - totals.pointsReversed - totals.pointsRedeemed;
  return (
    <section aria-labelledby="volunteer-result" data-testid="volunteer-record">
      <h2 id="volunteer-result">{t("volunteer.record")}</h2>
      <div className="stats">
        <Stat
          label={t("volunteer.hours")}
          value={formatHours(totals.minutes)}
          testId="volunteer-hours"
          note={t("volunteer.hoursNote")}
        />
        <Stat label={t("volunteer.points")} value={formatCount(points)} testId="volunteer-points" />
        <Stat label={t("volunteer.redeemed")} value={formatCount(totals.pointsRedeemed)} />
        <Stat label={t("volunteer.services")} value={formatCount(totals.credits.length)} />
      </div>
      <HistoryCheck result={check} head={history.head} />

      <h3>{t("volunteer.certificates")}</h3>
      {totals.certificates.length === 0 ? <Empty>{t("volunteer.noCertificates")}</Empty> : null}
      <ul className="list panel">
        {totals.certificates.map((item) => {
          const r = item.entry.record as Record<string, unknown>;
          return (
            <li key={item.index}>
              <div className="row-main">
                <span>
                  {t("volunteer.certificateLine", { hours: formatHours(r.minutesCovered as string) })} ·{" "}
                  {date(item.entry.timestamp)}
                </span>
                <Link to={`/certificate?index=${item.index}&code=${code}`} data-testid="certificate-link">
                  {t("volunteer.openCertificate")}
                </Link>
              </div>
            </li>
          );
        })}
      </ul>

      <h3>{t("volunteer.serviceRecords")}</h3>
      <div className="table-scroll">
        <table>
          <caption className="visually-hidden">{t("volunteer.serviceRecords")}</caption>
          <thead>
            <tr>
              <th scope="col">{t("volunteer.date")}</th>
              <th scope="col">{t("volunteer.activity")}</th>
              <th scope="col" className="num">
                {t("volunteer.minutes")}
              </th>
              <th scope="col" className="num">
                {t("volunteer.pointsShort")}
              </th>
              <th scope="col">{t("volunteer.proof")}</th>
            </tr>
          </thead>
          <tbody>
            {totals.credits.map((item) => {
              const r = item.entry.record as Record<string, unknown>;
              return (
                <tr key={item.index}>
                  <td>{formatDay(r.serviceDate as number, lang)}</td>
                  <td>
                    {t("volunteer.activityN", { id: String(r.activityId) })} ·{" "}
                    <Link to={`/orgs/${item.entry.actorOrg}`}>{orgName(item.entry.actorOrg)}</Link>
                  </td>
                  <td className="num">{String(r.minutes)}</td>
                  <td className="num">{String(r.points)}</td>
                  <td>
                    <Link to={`/verify?index=${item.index}`}>{t("entry.verify")}</Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {totals.corrections.length > 0 ? (
        <p className="hint">{t("volunteer.corrections", { n: totals.corrections.length })}</p>
      ) : null}

      <h3>{t("volunteer.redemptions")}</h3>
      {totals.redemptions.length === 0 ? <Empty>{t("volunteer.noRedemptions")}</Empty> : null}
      <ul className="list">
        {totals.redemptions.map((item) => {
          const r = item.entry.record as Record<string, unknown>;
          return (
            <li key={item.index}>
              {t("volunteer.redemptionLine", { points: String(r.points) })} · {date(item.entry.timestamp)} ·{" "}
              <Link to={`/orgs/${item.entry.actorOrg}`}>{orgName(item.entry.actorOrg)}</Link> ·{" "}
              <Link to={`/verify?index=${item.index}`}>{t("entry.verify")}</Link>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
