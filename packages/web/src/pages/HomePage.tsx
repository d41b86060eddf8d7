/**
 * Home: the ledger's status (size, root, last block, the indexer's lag), totals across campaigns,
 * the latest entries, and one search box for a receipt code, an organisation or a campaign.
 */
import { type FormEvent, useId, useMemo, useState } from "react";
import { apiPath } from "../api/client.ts";
import type { CampaignSummary, OrgSummary } from "../api/domainTypes.ts";
import type { EntryAnswer } from "../api/types.ts";
import { useApi } from "../api/useApi.ts";
import { useLatestEntries } from "../api/useLatestEntries.ts";
import { useStatus } from "../api/useStatus.ts";
import { CampaignCard } from "../components/CampaignCard.tsx";
import { EntryLine } from "../components/EntryLine.tsx";
import { Hash } from "../components/Hash.tsx";
import { Link } from "../components/Link.tsx";
import { Stat } from "../components/Stat.tsx";
import { Empty, ErrorState, Loading } from "../components/States.tsx";
import { useI18n } from "../i18n/i18n.tsx";
import { formatCount } from "../lib/format.ts";
import { navigate } from "../lib/router.ts";

const RECEIPT = /^(0x)?[0-9a-fA-F]{64}$/;

export function HomePage() {
  const { t } = useI18n();
  const campaigns = useApi<{ items: CampaignSummary[] }>(apiPath("/v1/campaigns", { limit: 100 }));
  const orgs = useApi<{ items: OrgSummary[] }>(apiPath("/v1/orgs", { limit: 100 }));
  return (
    <article className="page">
      <h1>{t("home.title")}</h1>
      <p className="lead">{t("home.intro")}</p>
      <Search campaigns={campaigns.data?.items} orgs={orgs.data?.items} />
      <LedgerStatus />
      <Totals campaigns={campaigns.data?.items} orgs={orgs.data?.items} />
      <section aria-labelledby="home-campaigns">
        <h2 id="home-campaigns">{t("home.campaigns")}</h2>
        {campaigns.loading ? <Loading /> : null}
        {campaigns.error ? <ErrorState error={campaigns.error} onRetry={campaigns.reload} /> : null}
        {campaigns.data ? (
          campaigns.data.items.length === 0 ? (
            <Empty>{t("state.empty")}</Empty>
          ) : (
            <div className="grid grid-2">
              {campaigns.data.items.map((c) => (
                <CampaignCard key={c.campaignId} campaign={c} />
              ))}
            </div>
          )
        ) : null}
      </section>
      <LatestEntries />
    </article>
  );
}

function LedgerStatus() {
  const { t } = useI18n();
  const { status, error } = useStatus();
  return (
    <section aria-labelledby="home-ledger">
      <h2 id="home-ledger">{t("home.ledger")}</h2>
      {!status && !error ? <Loading /> : null}
      {!status && error ? <ErrorState error={error} /> : null}
      {status ? (
        <>
          <div className="stats">
            <Stat
              label={t("home.size")}
              value={formatCount(status.log.size)}
              testId="ledger-size"
              note={t("home.sizeNote")}
            />
            <Stat
              label={t("home.root")}
              value={<Hash value={status.log.root} keep={4} />}
              testId="ledger-root"
              title={status.log.root}
              note={status.log.blockNumber ? t("home.rootAt", { block: formatCount(status.log.blockNumber) }) : ""}
            />
            <Stat
              label={t("home.lastBlock")}
              value={formatCount(status.indexedBlock)}
              testId="ledger-block"
              note={
                status.chainHead ? t("home.chainHead", { block: formatCount(status.chainHead) }) : t("home.headUnknown")
              }
            />
            <Stat
              label={t("home.lag")}
              value={status.lag === null ? "—" : t("home.lagBlocks", { lag: formatCount(status.lag) })}
              testId="ledger-lag"
              note={t("home.chain", { id: status.chainId })}
            />
          </div>
          <p className="hint">
            {t("home.verifyHint")} <Link to="/verify">{t("home.verifyLink")}</Link>
          </p>
        </>
      ) : null}
    </section>
  );
}

function Totals({ campaigns, orgs }: { campaigns: CampaignSummary[] | undefined; orgs: OrgSummary[] | undefined }) {
  const { t, money } = useI18n();
  const totals = useMemo(() => {
    if (!campaigns) return undefined;
    // One line per currency: amounts of different currencies are never added together.
    const byCurrency = new Map<string, { raised: bigint; balance: bigint }>();
    for (const c of campaigns) {
      const sum = byCurrency.get(c.currency) ?? { raised: 0n, balance: 0n };
      sum.raised += BigInt(c.raised);
      sum.balance += BigInt(c.balance);
      byCurrency.set(c.currency, sum);
    }
    return [...byCurrency.entries()];
  }, [campaigns]);
  if (!totals) return null;
  return (
    <section aria-labelledby="home-totals">
      <h2 id="home-totals">{t("home.totals")}</h2>
      <div className="stats">
        {totals.map(([currency, sum]) => (
          <Stat
            key={`r-${currency}`}
            label={t("home.raised", { currency })}
            value={money(sum.raised, currency)}
            testId="total-raised"
          />
        ))}
        {totals.map(([currency, sum]) => (
          <Stat
            key={`s-${currency}`}
            label={t("home.spent", { currency })}
            value={money(sum.raised - sum.balance, currency)}
            note={t("home.spentNote")}
          />
        ))}
        <Stat label={t("home.campaignCount")} value={formatCount(campaigns?.length ?? 0)} />
        <Stat label={t("home.orgCount")} value={orgs ? formatCount(orgs.length) : "—"} />
      </div>
    </section>
  );
}

function LatestEntries() {
  const { t } = useI18n();
  const latest = useLatestEntries(8);
  return (
    <section aria-labelledby="home-latest">
      <h2 id="home-latest">{t("home.latest")}</h2>
      {latest.loading ? <Loading /> : null}
      {latest.error ? <ErrorState error={latest.error} /> : null}
      {latest.entries ? (
        <ul className="list panel" data-testid="latest-entries">
          {latest.entries.map((e: EntryAnswer) => (
            <EntryLine key={e.index} entry={e} />
          ))}
        </ul>
      ) : null}
    </section>
  );
}

function Search({ campaigns, orgs }: { campaigns: CampaignSummary[] | undefined; orgs: OrgSummary[] | undefined }) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState("");
  const [query, setQuery] = useState("");
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const q = text.trim();
    if (RECEIPT.test(q)) {
      navigate("/donations", { state: { receipt: q } });
      return;
    }
    setQuery(q);
  };
  const results = useMemo(() => {
    if (!query) return undefined;
    const q = query.toLowerCase();
    const matchedOrgs = (orgs ?? []).filter(
      (o) => o.name.toLowerCase().includes(q) || o.creditCode.toLowerCase() === q || o.orgId === q,
    );
    const matchedCampaigns = (campaigns ?? []).filter(
      (c) =>
        c.campaignId === q || (c.orgName ?? "").toLowerCase().includes(q) || (c.filingNumber ?? "").toLowerCase() === q,
    );
    return { orgs: matchedOrgs, campaigns: matchedCampaigns };
  }, [query, orgs, campaigns]);
  return (
    <section className="panel" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="visually-hidden">
        {t("home.search")}
      </h2>
      <search>
        <form onSubmit={submit}>
          <label htmlFor={id}>{t("home.searchLabel")}</label>
          <div className="input-row">
            <input
              id={id}
              name="q"
              type="search"
              autoComplete="off"
              value={text}
              onChange={(e) => setText(e.target.value)}
              aria-describedby={`${id}-hint`}
            />
            <button type="submit" className="button">
              {t("home.searchButton")}
            </button>
          </div>
          <p id={`${id}-hint`} className="hint">
            {t("home.searchHint")}
          </p>
        </form>
      </search>
      {results ? <SearchResults results={results} /> : null}
    </section>
  );
}

function SearchResults({ results }: { results: { orgs: OrgSummary[]; campaigns: CampaignSummary[] } }) {
  const { t } = useI18n();
  const none = results.orgs.length === 0 && results.campaigns.length === 0;
  return (
    <div role="status" aria-live="polite" data-testid="search-results">
      {none ? <p>{t("home.noResults")}</p> : null}
      {results.orgs.length > 0 || results.campaigns.length > 0 ? (
        <ul className="list">
          {results.orgs.map((o) => (
            <li key={`o${o.orgId}`}>
              <Link to={`/orgs/${o.orgId}`}>{o.name}</Link> <span className="meta">{o.creditCode}</span>
            </li>
          ))}
          {results.campaigns.map((c) => (
            <li key={`c${c.campaignId}`}>
              <Link to={`/campaigns/${c.campaignId}`}>{t("campaign.numbered", { id: c.campaignId })}</Link>{" "}
              <span className="meta">{c.orgName}</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
