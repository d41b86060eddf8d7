/**
 * Donation lookup: the receipt code from a donation receipt gives the donation and where its money
 * went, step by step with amounts and evidence; "verify" checks every entry's proof in the browser.
 *
 * The code is a secret: typed codes are kept out of the URL (they travel in the history entry's
 * state), and a code arriving in a link (`?receipt=`, from a receipt's QR code) is taken out of the
 * address bar at once.
 */
import { useEffect, useState } from "react";
import { apiPath } from "../api/client.ts";
import type { Donation, DonationLookup, TraceStep } from "../api/domainTypes.ts";
import { useApi } from "../api/useApi.ts";
import { CodeForm } from "../components/CodeForm.tsx";
import { EvidenceLinks } from "../components/EvidenceLinks.tsx";
import { Hash } from "../components/Hash.tsx";
import { Link } from "../components/Link.tsx";
import { ErrorState, Loading } from "../components/States.tsx";
import { useI18n } from "../i18n/i18n.tsx";
import { categoryLabel, channelLabel } from "../i18n/labels.ts";
import { formatCount } from "../lib/format.ts";
import { historyState, navigate, useLocation } from "../lib/router.ts";
import { checkEntryProof, type EntryProofInput } from "../verify/checkEntryProof.ts";

const CODE = /^(0x)?[0-9a-fA-F]{64}$/;

export function DonationPage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const fromLink = query.get("receipt");
  const fromState = historyState<{ receipt?: string }>()?.receipt;
  const receipt = fromState ?? fromLink ?? null;
  useEffect(() => {
    if (fromLink) {
      const rest = new URLSearchParams(query);
      rest.delete("receipt");
      const search = rest.toString();
      navigate(`/donations${search ? `?${search}` : ""}`, { replace: true, state: { receipt: fromLink } });
    }
  }, [fromLink, query]);
  const lookup = useApi<DonationLookup>(
    receipt && CODE.test(receipt.trim()) ? apiPath("/v1/donations/lookup", { receipt: receipt.trim() }) : null,
  );
  return (
    <article className="page">
      <h1>{t("donation.title")}</h1>
      <p className="lead">{t("donation.intro")}</p>
      <CodeForm
        initial={receipt ?? ""}
        name="receipt"
        label="donation.codeLabel"
        hint="donation.codeHint"
        button="donation.lookup"
        onSubmit={(code) => navigate("/donations", { state: { receipt: code } })}
      />
      {receipt && !CODE.test(receipt.trim()) ? (
        <p className="state state-error" role="alert">
          {t("donation.badCode")}
        </p>
      ) : null}
      {lookup.loading ? <Loading /> : null}
      {lookup.error ? <ErrorState error={lookup.error} onRetry={lookup.reload} /> : null}
      {lookup.data ? (
        <section aria-labelledby="donation-result">
          <h2 id="donation-result">{t("donation.result", { n: lookup.data.donations.length })}</h2>
          {lookup.data.donations.map((d) => (
            <DonationView key={d.index} donation={d} />
          ))}
        </section>
      ) : null}
    </article>
  );
}

type Verdicts = Map<string, boolean>;

function proofInput(index: string, proven: { leaf: string; proof: EntryProofInput["proof"] | Donation["proof"] }) {
  return { index, leaf: proven.leaf, proof: proven.proof } as EntryProofInput;
}

function DonationView({ donation }: { donation: Donation }) {
  const { t, lang, money, date } = useI18n();
  const [verdicts, setVerdicts] = useState<Verdicts | undefined>();
  const verifyAll = () => {
    const results: Verdicts = new Map();
    results.set(`d${donation.index}`, checkEntryProof(proofInput(donation.index, donation)).ok);
    if (donation.reversal)
      results.set(
        `r${donation.reversal.index}`,
        checkEntryProof(proofInput(donation.reversal.index, donation.reversal)).ok,
      );
    for (const [i, step] of donation.trace.entries())
      results.set(`s${i}`, checkEntryProof(proofInput(step.entryIndex, step)).ok);
    setVerdicts(results);
  };
  const allOk = verdicts ? [...verdicts.values()].every(Boolean) : undefined;
  return (
    <div className="panel" data-testid="donation">
      <div className="stats">
        <div className="stat">
          <span className="stat-label">{t("donation.amount")}</span>
          <span className="stat-value" data-testid="donation-amount">
            {money(donation.amount, donation.currency)}
          </span>
        </div>
        <div className="stat">
          <span className="stat-label">{t("donation.date")}</span>
          <span className="stat-value">{date(donation.time)}</span>
        </div>
        <div className="stat">
          <span className="stat-label">{t("donation.to")}</span>
          <span className="stat-value">
            <Link to={`/campaigns/${donation.campaignId}`}>{t("campaign.numbered", { id: donation.campaignId })}</Link>
          </span>
          <span className="stat-note">
            <Link to={`/orgs/${donation.orgId}`}>{donation.orgName ?? t("org.numbered", { id: donation.orgId })}</Link>
          </span>
        </div>
        <div className="stat">
          <span className="stat-label">{t("donation.channel")}</span>
          <span className="stat-value">{channelLabel(donation.channel, lang)}</span>
          {donation.earmark ? <span className="stat-note">{t("donation.earmarked")}</span> : null}
        </div>
      </div>
      {donation.reversal ? (
        <p className="notice notice-warn">
          {t("donation.reversedNote", { date: date(donation.reversal.time), index: donation.reversal.index })}
        </p>
      ) : null}
      <h3>{t("donation.traceTitle")}</h3>
      <ol className="trace" data-testid="trace">
        <li>
          <strong>{t("donation.received")}</strong> · {money(donation.amount, donation.currency)} ·{" "}
          <Verdict ok={verdicts?.get(`d${donation.index}`)} index={donation.index} />
        </li>
        {donation.trace.map((step, i) => (
          <TraceItem
            // biome-ignore lint/suspicious/noArrayIndexKey: steps have no id of their own; their order is fixed
            key={i}
            step={step}
            currency={donation.currency}
            ok={verdicts?.get(`s${i}`)}
            lang={lang}
          />
        ))}
      </ol>
      <div className="verify-bar">
        <button type="button" className="button" onClick={verifyAll} data-testid="verify-trace">
          {t("donation.verifyAll")}
        </button>
        {allOk !== undefined ? (
          <p
            className={`verdict ${allOk ? "verdict-ok" : "verdict-bad"}`}
            role="status"
            data-testid="trace-verdict"
            data-ok={allOk ? "true" : "false"}
          >
            <span className="verdict-mark" aria-hidden="true">
              {allOk ? "✓" : "✗"}
            </span>
            <span>
              {allOk
                ? t("donation.verifiedAll", {
                    n: verdicts?.size ?? 0,
                    size: formatCount(donation.proof.treeSize),
                    block: formatCount(donation.proof.blockNumber),
                  })
                : t("donation.verifyFailed")}
            </span>
          </p>
        ) : null}
        {allOk ? (
          <p className="hint">
            {t("donation.rootHint")} <Hash value={donation.proof.root} />{" "}
            <Link to={`/verify?index=${donation.index}`}>{t("donation.compareRoot")}</Link>
          </p>
        ) : null}
      </div>
    </div>
  );
}

function Verdict({ ok, index }: { ok: boolean | undefined; index: string }) {
  const { t } = useI18n();
  return (
    <span className="meta">
      #{formatCount(index)}{" "}
      {ok === undefined ? null : ok ? (
        <span className="tag tag-ok">✓ {t("donation.proofOk")}</span>
      ) : (
        <span className="tag tag-bad">✗ {t("donation.proofBad")}</span>
      )}{" "}
      <Link to={`/verify?index=${index}`} aria-label={t("entry.verifyLabel", { index })}>
        {t("entry.verify")}
      </Link>
    </span>
  );
}

function TraceItem({
  step,
  currency,
  ok,
  lang,
}: {
  step: TraceStep;
  currency: string;
  ok: boolean | undefined;
  lang: "zh" | "en";
}) {
  const { t, money } = useI18n();
  const where = (
    <>
      <Link to={`/campaigns/${step.campaignId}`}>{t("campaign.numbered", { id: step.campaignId })}</Link>
      {step.orgName ? <> ({step.orgName})</> : null}
    </>
  );
  let what: React.ReactNode;
  if (step.kind === "disbursement") what = categoryLabel(step.category ?? "program", lang);
  else if (step.kind === "grant") what = t("donation.grant");
  else if (step.kind === "reversal") what = t("donation.refund");
  else what = t("donation.unspent");
  return (
    <li className={`depth-${Math.min(step.depth, 3)}`} data-testid="trace-step">
      <strong>{what}</strong> · {money(step.amount, currency)}
      <br />
      <span className="meta">
        {t("donation.at")} {where}
        {step.evidence.length > 0 ? (
          <>
            {" "}
            · <EvidenceLinks hashes={step.evidence.map((e) => e.sha256)} />
          </>
        ) : null}
      </span>
      <br />
      <Verdict ok={ok} index={step.entryIndex} />
    </li>
  );
}
