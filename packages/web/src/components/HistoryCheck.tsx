/** The result of checking a stream's history in the browser: complete, and every proof valid. */
import type { Completeness } from "../api/streamHistory.ts";
import { useI18n } from "../i18n/i18n.tsx";
import { formatCount } from "../lib/format.ts";
import { Hash } from "./Hash.tsx";

export function HistoryCheck({
  result,
  head,
}: {
  result: Completeness;
  head: { blockNumber: string; root: string; treeSize: string };
}) {
  const { t } = useI18n();
  const ok = result.complete && result.proofsOk;
  return (
    <div
      className={`verdict ${ok ? "verdict-ok" : "verdict-bad"}`}
      role="status"
      data-testid="history-check"
      data-ok={ok ? "true" : "false"}
    >
      <span className="verdict-mark" aria-hidden="true">
        {ok ? "✓" : "✗"}
      </span>
      <div>
        <p className="verdict-title">{ok ? t("history.ok") : t("history.bad")}</p>
        <p>
          {t("history.detail", {
            count: formatCount(result.count),
            block: formatCount(head.blockNumber),
            size: formatCount(head.treeSize),
          })}{" "}
          <Hash value={head.root} />
        </p>
      </div>
    </div>
  );
}
