/** Header (name, navigation, language, the ledger's freshness), the page, and a footer. */
import type { ReactNode, RefObject } from "react";
import { useI18n } from "../i18n/i18n.tsx";
import type { MessageKey } from "../i18n/messages.ts";
import { useLocation } from "../lib/router.ts";
import { LedgerBadge } from "./LedgerBadge.tsx";
import { Link } from "./Link.tsx";

const NAV: { to: string; label: MessageKey }[] = [
  { to: "/", label: "nav.home" },
  { to: "/donations", label: "nav.donations" },
  { to: "/volunteers", label: "nav.volunteers" },
  { to: "/verify", label: "nav.verify" },
  { to: "/regulator", label: "nav.regulator" },
];

export function Layout({ children, mainRef }: { children: ReactNode; mainRef: RefObject<HTMLElement | null> }) {
  const { t, lang, setLang } = useI18n();
  const { path } = useLocation();
  const other = lang === "zh" ? "en" : "zh";
  return (
    <>
      <a className="skip-link" href="#main">
        {t("nav.skip")}
      </a>
      <header className="site-header">
        <div className="header-row">
          <Link to="/" className="brand">
            <span className="brand-mark" aria-hidden="true">
              善
            </span>
            <span>
              <span className="brand-name">{t("app.name")}</span>
              <span className="brand-tagline">{t("app.tagline")}</span>
            </span>
          </Link>
          <div className="header-tools">
            <LedgerBadge />
            <button
              type="button"
              className="lang-switch"
              onClick={() => setLang(other)}
              lang={other === "zh" ? "zh-CN" : "en"}
              aria-label={t("lang.switchLabel")}
            >
              {t("lang.other")}
            </button>
          </div>
        </div>
        <nav aria-label={t("nav.label")}>
          <ul className="nav-list">
            {NAV.map((item) => {
              const current = item.to === "/" ? path === "/" : path.startsWith(item.to);
              return (
                <li key={item.to}>
                  <Link to={item.to} aria-current={current ? "page" : undefined}>
                    {t(item.label)}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
      </header>
      <main id="main" ref={mainRef} tabIndex={-1}>
        {children}
      </main>
      <footer className="site-footer">
        <p>{t("footer.trust")}</p>
        <p>
          <a href="/docs">{t("footer.api")}</a> · <span>{t("footer.licence")}</span>
        </p>
      </footer>
    </>
  );
}
