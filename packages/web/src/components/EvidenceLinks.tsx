/** Links to a record's evidence files (invoices, contracts, photos) by their SHA-256 on chain. */
import { useI18n } from "../i18n/i18n.tsx";
import { shortHex } from "../lib/format.ts";

export const evidenceUrl = (sha256: string) => `/v1/evidence/${sha256.replace(/^0x/, "")}`;

export function EvidenceLinks({ hashes }: { hashes: string[] }) {
  const { t } = useI18n();
  if (hashes.length === 0) return <span className="meta">{t("evidence.none")}</span>;
  return (
    <span className="evidence">
      {hashes.map((hash, i) => (
        <a key={hash} href={evidenceUrl(hash)} target="_blank" rel="noopener" title={hash}>
          {t("evidence.file", { n: i + 1 })} <code className="hash">{shortHex(hash, 4)}</code>
        </a>
      ))}
    </span>
  );
}
