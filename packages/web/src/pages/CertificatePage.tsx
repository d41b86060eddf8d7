/**
 * A printable volunteer service certificate (志愿服务证明) for a certificateIssued entry: the hours
 * it covers, the issuing organisation, its hash on the ledger, and a QR code whose link opens the
 * verification of that very entry. The personal parts (name, ID number) live only on the paper
 * document the organisation printed; this page states what the ledger proves.
 */
import QRCode from "qrcode";
import { useEffect, useState } from "react";
import type { EntryAnswer } from "../api/types.ts";
import { useApi } from "../api/useApi.ts";
import { Hash } from "../components/Hash.tsx";
import { Link } from "../components/Link.tsx";
import { ErrorState, Loading } from "../components/States.tsx";
import { useI18n } from "../i18n/i18n.tsx";
import { formatCount, formatHours } from "../lib/format.ts";
import { useLocation } from "../lib/router.ts";

export default function CertificatePage() {
  const { t } = useI18n();
  const { query } = useLocation();
  const index = query.get("index");
  const valid = index !== null && /^\d+$/.test(index);
  const entry = useApi<EntryAnswer>(valid ? `/v1/entries/${index}` : null);
  const org = useApi<{ name?: string }>(entry.data ? `/v1/orgs/${entry.data.entry.actorOrg}` : null);
  if (!valid)
    return (
      <article className="page">
        <h1>{t("certificate.title")}</h1>
        <p className="state state-error">{t("certificate.noIndex")}</p>
      </article>
    );
  if (entry.loading) return <Loading />;
  if (entry.error || !entry.data)
    return (
      <article className="page">
        <h1>{t("certificate.title")}</h1>
        <ErrorState error={entry.error ?? new Error("?")} />
      </article>
    );
  if (entry.data.kindName !== "certificateIssued")
    return (
      <article className="page">
        <h1>{t("certificate.title")}</h1>
        <p className="state state-error">{t("certificate.notCertificate", { index: entry.data.index })}</p>
      </article>
    );
  return <Certificate entry={entry.data} orgName={org.data?.name} />;
}

function Certificate({ entry, orgName }: { entry: EntryAnswer; orgName: string | undefined }) {
  const { t, date } = useI18n();
  const record = entry.entry.record as Record<string, unknown>;
  const verifyUrl = `${window.location.origin}/verify?index=${entry.index}`;
  const [qr, setQr] = useState<string>();
  useEffect(() => {
    QRCode.toDataURL(verifyUrl, { errorCorrectionLevel: "M", margin: 1, width: 288 }).then(setQr, () =>
      setQr(undefined),
    );
  }, [verifyUrl]);
  return (
    <article className="page">
      <div className="certificate" data-testid="certificate">
        <h1>{t("certificate.heading")}</h1>
        <p className="lead">{t("certificate.statement", { hours: formatHours(record.minutesCovered as string) })}</p>
        <dl className="pairs">
          <dt>{t("certificate.volunteer")}</dt>
          <dd>
            <Hash value={String(record.volunteer)} full />
          </dd>
          <dt>{t("certificate.hours")}</dt>
          <dd data-testid="certificate-hours">
            {formatHours(record.minutesCovered as string)} (
            {t("certificate.minutes", { minutes: String(record.minutesCovered) })})
          </dd>
          <dt>{t("certificate.issuer")}</dt>
          <dd>{orgName ?? t("org.numbered", { id: entry.entry.actorOrg })}</dd>
          <dt>{t("certificate.date")}</dt>
          <dd>{date(entry.entry.timestamp)}</dd>
          <dt>{t("certificate.number")}</dt>
          <dd>#{formatCount(entry.index)}</dd>
          <dt>{t("certificate.hash")}</dt>
          <dd>
            <Hash value={String(record.certificateHash)} full />
          </dd>
        </dl>
        {qr ? <img src={qr} alt={t("certificate.qrAlt")} data-testid="certificate-qr" /> : null}
        <p className="meta">{t("certificate.scan")}</p>
        <p className="meta">
          <code>{verifyUrl}</code>
        </p>
        <p className="meta">{t("certificate.privacy")}</p>
      </div>
      <p className="no-print">
        <button type="button" className="button" onClick={() => window.print()}>
          {t("certificate.print")}
        </button>{" "}
        <Link to={`/verify?index=${entry.index}`}>{t("certificate.verify")}</Link>
      </p>
    </article>
  );
}
