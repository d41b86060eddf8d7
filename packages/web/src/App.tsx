/**
 * The portal's shell and its pages. Pages with charts are loaded on demand (React.lazy), so the home
 * page ships neither ECharts nor their code.
 */
import { lazy, Suspense, useEffect, useRef } from "react";
import { Layout } from "./components/Layout.tsx";
import { Loading } from "./components/States.tsx";
import { useI18n } from "./i18n/i18n.tsx";
import { matchPath, useLocation } from "./lib/router.ts";
import { HomePage } from "./pages/HomePage.tsx";
import { NotFoundPage } from "./pages/NotFoundPage.tsx";

// Every page but the home page loads on demand: the home page ships only what it shows.
const DonationPage = lazy(() => import("./pages/DonationPage.tsx").then((m) => ({ default: m.DonationPage })));
const VerifyPage = lazy(() => import("./pages/VerifyPage.tsx").then((m) => ({ default: m.VerifyPage })));
const VolunteerPage = lazy(() => import("./pages/VolunteerPage.tsx"));
const CampaignPage = lazy(() => import("./pages/CampaignPage.tsx"));
const OrgPage = lazy(() => import("./pages/OrgPage.tsx"));
const RegulatorPage = lazy(() => import("./pages/RegulatorPage.tsx"));
const CertificatePage = lazy(() => import("./pages/CertificatePage.tsx"));

function Page() {
  const { path } = useLocation();
  if (path === "/") return <HomePage />;
  if (path === "/donations") return <DonationPage />;
  if (path === "/volunteers") return <VolunteerPage />;
  if (path === "/verify") return <VerifyPage />;
  if (path === "/regulator") return <RegulatorPage />;
  if (path === "/certificate") return <CertificatePage />;
  const campaign = matchPath("/campaigns/:id", path);
  if (campaign) return <CampaignPage id={campaign.id as string} />;
  const org = matchPath("/orgs/:id", path);
  if (org) return <OrgPage id={org.id as string} />;
  return <NotFoundPage />;
}

export function App() {
  const { path } = useLocation();
  const { t } = useI18n();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  // After a navigation, move focus to the new page so screen readers and keyboard users start there.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each new path
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.focus();
  }, [path]);
  return (
    <Layout mainRef={main}>
      <Suspense fallback={<Loading label={t("state.loading")} />}>
        <Page />
      </Suspense>
    </Layout>
  );
}
