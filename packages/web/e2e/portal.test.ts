/**
 * The portal end to end, in headless Chromium against the real stack with the demo data set (see
 * globalSetup.ts): every page shows real data from the API, on a desktop and on a phone; the
 * receipt lookup traces a donation; Verify passes for a real proof and fails for a tampered one;
 * the language switch works and is remembered. Each page is saved as a screenshot in
 * e2e/screenshots/ for a person to look at.
 */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import {
  accessibilityProblems,
  type Device,
  launchBrowser,
  openPage,
  overflowsHorizontally,
  type PortalPage,
  screenshot,
} from "./_browser.ts";

const stack = inject("webStack");

if (stack === null) {
  console.warn(
    "\n!!! The portal's browser suite did NOT run: Chromium not found at /usr/bin/chromium (apt-get install chromium).\n",
  );
  describe("portal in Chromium", () => {
    test.skip("browser suite did not run: Chromium not found at /usr/bin/chromium", () => {});
  });
} else {
  const { baseUrl } = stack;
  let browser: Browser;
  const open: PortalPage[] = [];

  beforeAll(async () => {
    browser = await launchBrowser();
  });
  afterAll(async () => {
    for (const p of open) await p.close().catch(() => {});
    await browser?.close();
  });

  async function visit(path: string, device: Device = "desktop", locale?: string): Promise<PortalPage> {
    const p = await openPage(browser, device, locale);
    open.push(p);
    await p.page.goto(`${baseUrl}${path}`, { waitUntil: "domcontentloaded" });
    return p;
  }

  /** The page rendered without console errors, failed requests, phone overflow or unlabelled fields. */
  async function expectHealthy(p: PortalPage, device: Device): Promise<void> {
    expect(p.problems).toEqual([]);
    expect(await accessibilityProblems(p.page)).toEqual([]);
    if (device === "phone") expect(await overflowsHorizontally(p.page)).toEqual({ overflows: false, widest: "" });
  }

  async function apiJson<T>(path: string): Promise<T> {
    const response = await fetch(`${baseUrl}${path}`);
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  }

  const yuan = (fen: string, symbol = "¥") => {
    const digits = fen.padStart(3, "0");
    return `${symbol}${digits.slice(0, -2).replace(/\B(?=(\d{3})+$)/g, ",")}.${digits.slice(-2)}`;
  };

  describe.each(["desktop", "phone"] as const)("on a %s", (device) => {
    test("behavior: the home page shows the ledger's status, totals, campaigns and latest entries", async () => {
      const status = await apiJson<{ log: { size: string; root: string } }>("/v1/status");
      const p = await visit("/", device);
      await p.page.getByTestId("ledger-size").waitFor();
      expect(await p.page.getByTestId("ledger-size").textContent()).toBe(
        status.log.size.replace(/\B(?=(\d{3})+$)/g, ","),
      );
      expect(await p.page.getByTestId("ledger-root").getAttribute("title")).toBe(status.log.root);
      await p.page.getByTestId("ledger-badge").filter({ hasText: "已与链同步" }).waitFor();
      await p.page.locator('[data-testid="latest-entries"] > li').nth(7).waitFor();
      for (const campaign of stack.campaigns) await p.page.getByRole("link", { name: campaign.title }).waitFor();
      await p.page.getByTestId("total-raised").waitFor();
      await screenshot(p.page, "home", device);
      await expectHealthy(p, device);
    });

    test("behavior: a campaign page shows balance, spending, management costs, the flow chart, expenses and disclosures", async () => {
      const campaign = stack.campaigns[0] as (typeof stack.campaigns)[number];
      const detail = await apiJson<{ balance: string }>(`/v1/campaigns/${campaign.campaignId}`);
      const p = await visit(`/campaigns/${campaign.campaignId}`, device);
      await p.page.getByTestId("campaign-title").filter({ hasText: campaign.title }).waitFor();
      expect(await p.page.getByTestId("campaign-balance").textContent()).toBe(yuan(detail.balance));
      await p.page.getByTestId("management-cost").waitFor();
      await p.page.locator('[data-testid="flow-chart"][data-state="ready"] canvas').waitFor();
      await p.page.locator('[data-testid="expenses"] > li').first().waitFor();
      await p.page.locator('[data-testid="disclosure-timeline"] > li').first().waitFor();
      await screenshot(p.page, "campaign", device);
      await expectHealthy(p, device);
    });

    test("behavior: a receipt code gives the donation's trace, and every proof verifies", async () => {
      const receipt = stack.receipts[0] as (typeof stack.receipts)[number];
      const p = await visit("/donations", device);
      await p.page.getByLabel("收据码").fill(receipt.code);
      await p.page.getByRole("button", { name: "查询" }).click();
      await p.page.getByTestId("donation-amount").first().waitFor();
      expect(await p.page.getByTestId("donation-amount").first().textContent()).toBe(yuan(receipt.amountFen));
      expect(await p.page.locator('[data-testid="trace-step"]').count()).toBeGreaterThan(0);
      expect(p.page.url()).not.toContain(receipt.code.slice(2, 20));
      await p.page.getByTestId("verify-trace").first().click();
      const verdict = p.page.getByTestId("trace-verdict").first();
      await verdict.waitFor();
      expect(await verdict.getAttribute("data-ok")).toBe("true");
      await screenshot(p.page, "donation", device);
      await expectHealthy(p, device);
    });

    test("behavior: verify checks a real proof in the browser, step by step", async () => {
      const p = await visit("/verify?index=42", device);
      const verdict = p.page.getByTestId("verdict");
      await verdict.waitFor();
      expect(await verdict.getAttribute("data-ok")).toBe("true");
      expect(await p.page.locator(".check-bad").count()).toBe(0);
      expect(await p.page.getByTestId("cast-command").textContent()).toContain(stack.logAddress);
      await screenshot(p.page, "verify", device);
      await expectHealthy(p, device);
    });

    test("error: verify shows a clear failure for a tampered leaf", async () => {
      const p = await visit("/verify?index=42&tamper=leaf", device);
      const verdict = p.page.getByTestId("verdict");
      await verdict.waitFor();
      expect(await verdict.getAttribute("data-ok")).toBe("false");
      expect(await verdict.textContent()).toContain("验证失败");
      expect(await p.page.locator(".check-bad").count()).toBeGreaterThan(0);
      await screenshot(p.page, "verify-tampered", device);
      await expectHealthy(p, device);
    });

    test("behavior: an enterprise's page shows its profile and CSR view", async () => {
      const enterprise = stack.orgs.find((o) => o.kind === 2) as (typeof stack.orgs)[number];
      const p = await visit(`/orgs/${enterprise.orgId}`, device);
      await p.page.getByTestId("org-name").filter({ hasText: enterprise.name }).waitFor();
      expect(await p.page.getByTestId("org-credit-code").textContent()).toBe(enterprise.creditCode);
      await p.page.locator('[data-testid="history-check"][data-ok="true"]').waitFor();
      await p.page.locator('[data-testid="csr-chart"][data-state="ready"] canvas').waitFor();
      await p.page
        .getByTestId("csr-hours")
        .filter({ hasText: /^\d+\.\d$/ })
        .waitFor();
      expect(await p.page.locator('[data-testid="csr-table"] tbody tr').count()).toBeGreaterThan(0);
      await screenshot(p.page, "org-enterprise", device);
      await expectHealthy(p, device);
    });

    test("behavior: a volunteer's code gives hours, points and a printable certificate with a QR code", async () => {
      const certificate = stack.certificates[0] as (typeof stack.certificates)[number];
      const p = await visit(`/volunteers?code=${certificate.volunteer}`, device);
      await p.page.getByTestId("volunteer-hours").waitFor();
      expect(Number(await p.page.getByTestId("volunteer-hours").textContent())).toBeGreaterThan(0);
      await p.page.locator('[data-testid="history-check"][data-ok="true"]').waitFor();
      await screenshot(p.page, "volunteer", device);
      await expectHealthy(p, device);
      await p.page.getByTestId("certificate-link").first().click();
      const qr = p.page.getByTestId("certificate-qr");
      await qr.waitFor();
      expect(await qr.getAttribute("src")).toMatch(/^data:image\/png;base64,/);
      expect(await p.page.getByTestId("certificate").textContent()).toContain(
        `${baseUrl}/verify?index=${certificate.index}`,
      );
      await screenshot(p.page, "certificate", device);
      await expectHealthy(p, device);
    });

    test("behavior: the regulator dashboard lists alerts, organisations by status and exports", async () => {
      const p = await visit("/regulator", device);
      await p.page.getByTestId("alert-count").waitFor();
      // Each alert is worded in Chinese from its fields, with its date, not the API's English detail.
      const alerts = (await (await fetch(`${baseUrl}/v1/alerts?limit=500`)).json()) as {
        items: { detail: string }[];
      };
      const details = await p.page.getByTestId("alert-detail").allTextContents();
      expect(details.length).toBe(alerts.items.length);
      expect(details.length).toBeGreaterThan(0);
      for (const [i, text] of details.entries()) {
        expect(text).toMatch(/^\d{4}\/\d{2}\/\d{2} · .*[\u4e00-\u9fff]/);
        expect(text).not.toContain(alerts.items[i]?.detail);
      }
      await p.page.getByTestId("orgs-active").waitFor();
      const href = await p.page.locator('[data-testid="exports"] a').first().getAttribute("href");
      expect(href).toBe("/v1/exports/donations.csv");
      await screenshot(p.page, "regulator", device);
      await expectHealthy(p, device);
      const csv = await fetch(`${baseUrl}${href}`);
      expect(csv.status).toBe(200);
      expect(new Uint8Array(await csv.arrayBuffer()).slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));
    });
  });

  test("behavior: the language switch turns the portal to English and is remembered", async () => {
    const p = await visit("/");
    await p.page.getByRole("heading", { level: 1, name: "善款去向，人人可查" }).waitFor();
    expect(await p.page.getAttribute("html", "lang")).toBe("zh-CN");
    await p.page.getByRole("button", { name: "Switch to English" }).click();
    await p.page.getByRole("heading", { level: 1, name: "Where the money goes, for anyone to check" }).waitFor();
    expect(await p.page.getAttribute("html", "lang")).toBe("en");
    await p.page.getByTestId("ledger-badge").filter({ hasText: "In sync with the chain" }).waitFor();
    await p.page.reload();
    await p.page.getByRole("heading", { level: 1, name: "Where the money goes, for anyone to check" }).waitFor();
    await screenshot(p.page, "home-english", "desktop");
    await p.page.goto(`${baseUrl}/verify?index=3&lang=zh`);
    await p.page.getByRole("heading", { level: 1, name: "验证记录" }).waitFor();
    expect(await p.page.getAttribute("html", "lang")).toBe("zh-CN");
    await expectHealthy(p, "desktop");
  });

  test("behavior: English from a shared link, on a phone", async () => {
    const p = await visit("/verify?index=5&lang=en", "phone");
    await p.page.getByRole("heading", { level: 1, name: "Verify a record" }).waitFor();
    expect(await p.page.getByTestId("verdict").getAttribute("data-ok")).toBe("true");
    await screenshot(p.page, "verify-english", "phone");
    await expectHealthy(p, "phone");
  });

  test("behavior: the keyboard reaches the search, and navigation moves focus to the page", async () => {
    const p = await visit("/");
    // The first stop of the keyboard in document order is the skip link, and it works with the keyboard.
    await p.page.waitForLoadState("networkidle");
    const first = await p.page.evaluate(
      () =>
        document.querySelector<HTMLElement>('a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')
          ?.textContent,
    );
    expect(first).toBe("跳到正文");
    await p.page.getByRole("link", { name: "跳到正文" }).focus();
    await p.page.keyboard.press("Enter");
    expect(await p.page.evaluate(() => document.activeElement?.id)).toBe("main");
    await p.page.getByRole("link", { name: "验证", exact: true }).first().focus();
    await p.page.keyboard.press("Enter");
    await p.page.getByRole("heading", { level: 1, name: "验证记录" }).waitFor();
    expect(await p.page.evaluate(() => document.activeElement?.id)).toBe("main");
    await expectHealthy(p, "desktop");
  });

  test("error: an unknown portal path shows the portal's not-found page", async () => {
    const p = await visit("/orgs/999999");
    await p.page.getByText("没有这个机构。").waitFor();
    await p.close();
  });

  test("error: a pasted proof with one hash changed fails, the untouched one passes", async () => {
    const entry = await apiJson<{ proof: { inclusion: string[] } }>("/v1/entries/7");
    const p = await visit("/verify");
    await p.page.getByText("或粘贴证明 JSON").click();
    const area = p.page.getByLabel(/证明 JSON/);
    await area.fill(JSON.stringify(entry));
    await p.page.getByRole("button", { name: "验证粘贴的证明" }).click();
    expect(await p.page.getByTestId("verdict").getAttribute("data-ok")).toBe("true");

    const first = entry.proof.inclusion[0] as string;
    const changed = `${first.slice(0, -1)}${first.endsWith("0") ? "1" : "0"}`;
    const tampered = { ...entry, proof: { ...entry.proof, inclusion: [changed, ...entry.proof.inclusion.slice(1)] } };
    await area.fill(JSON.stringify(tampered));
    await p.page.getByRole("button", { name: "验证粘贴的证明" }).click();
    await p.page.locator('[data-testid="verdict"][data-ok="false"]').waitFor();
    expect(
      await p.page.getByText("计算出的根与证明给出的根一致").locator("xpath=ancestor::li").getAttribute("class"),
    ).toContain("check-bad");
    await expectHealthy(p, "desktop");
  });
}
