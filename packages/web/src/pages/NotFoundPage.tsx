/** A path the portal does not know. */
import { Link } from "../components/Link.tsx";
import { useI18n } from "../i18n/i18n.tsx";

export function NotFoundPage() {
  const { t } = useI18n();
  return (
    <article className="page">
      <h1>{t("notFound.title")}</h1>
      <p>{t("notFound.body")}</p>
      <p>
        <Link to="/">{t("notFound.home")}</Link>
      </p>
    </article>
  );
}
