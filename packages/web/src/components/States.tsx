/** Loading, error and empty states, announced to screen readers. */
import { ApiProblem } from "../api/client.ts";
import { useI18n } from "../i18n/i18n.tsx";

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <p className="state" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label ?? t("state.loading")}
    </p>
  );
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  const { t } = useI18n();
  let message: string;
  if (error instanceof ApiProblem) {
    if (error.status === 0) message = t("error.network");
    else if (error.status === 404) message = t("error.notFound", { detail: error.message });
    else if (error.status === 503) message = t("error.unavailable");
    else if (error.status >= 500) message = t("error.server");
    else message = t("error.request", { detail: error.message });
  } else message = error.message;
  return (
    <div className="state state-error" role="alert">
      <p>{message}</p>
      {onRetry ? (
        <button type="button" className="button secondary" onClick={onRetry}>
          {t("action.retry")}
        </button>
      ) : null}
    </div>
  );
}

export function Empty({ children }: { children: string }) {
  return <p className="state state-empty">{children}</p>;
}
