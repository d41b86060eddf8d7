/**
 * Headless Chromium for the portal's tests: one browser per test file, a fresh context per page
 * (desktop or a 390×844 phone), each page's console errors, uncaught exceptions and failed requests
 * collected (a CSP violation shows up as a console error), and screenshots saved to e2e/screenshots.
 */
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { CHROMIUM } from "./globalSetup.ts";

export const SCREENSHOTS = fileURLToPath(new URL("./screenshots", import.meta.url));

export const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 },
  phone: {
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
    isMobile: true,
    hasTouch: true,
    // WeChat's in-app browser on Android: a Chromium WebView with "MicroMessenger" in its user agent.
    userAgent:
      "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36 MicroMessenger/8.0.50",
  },
} as const;

export type Device = keyof typeof VIEWPORTS;

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--no-first-run",
    ],
  });
}

export type PortalPage = {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors and failed same-origin requests seen so far. */
  problems: string[];
  close(): Promise<void>;
};

export async function openPage(browser: Browser, device: Device = "desktop", locale = "zh-CN"): Promise<PortalPage> {
  const context = await browser.newContext({ ...VIEWPORTS[device], locale, timezoneId: "Europe/London" });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("requestfailed", (request) => {
    const reason = request.failure()?.errorText;
    // ERR_ABORTED: the page itself cancelled the request (it navigated on, or a view unmounted).
    if (reason === "net::ERR_ABORTED") return;
    problems.push(`request failed: ${request.url()} ${reason}`);
  });
  page.on("response", (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return { page, context, problems, close: () => context.close() };
}

export async function screenshot(page: Page, name: string, device: Device): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}-${device}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Whether the page scrolls sideways (content wider than the viewport): a broken phone layout. */
export async function overflowsHorizontally(page: Page): Promise<{ overflows: boolean; widest: string }> {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    let widest = "";
    let max = width;
    for (const element of Array.from(document.querySelectorAll("body *"))) {
      const rect = element.getBoundingClientRect();
      if (rect.right > max + 1) {
        // Elements inside a horizontally scrolling container (wide tables) are fine.
        let scroller = element.parentElement;
        let inside = false;
        while (scroller) {
          const style = getComputedStyle(scroller);
          if (style.overflowX === "auto" || style.overflowX === "scroll" || style.overflowX === "hidden") {
            inside = true;
            break;
          }
          scroller = scroller.parentElement;
        }
        if (!inside) {
          max = rect.right;
          widest = `${element.tagName.toLowerCase()}.${element.className}`;
        }
      }
    }
    return { overflows: document.documentElement.scrollWidth > width + 1 || widest !== "", widest };
  });
}

/** Accessibility basics a test can check: labelled form fields, one h1, no skipped heading levels. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const field of Array.from(document.querySelectorAll("input, select, textarea"))) {
      const el = field as HTMLInputElement;
      if (el.type === "hidden") continue;
      const labelled =
        (el.labels && el.labels.length > 0) || el.getAttribute("aria-label") || el.getAttribute("aria-labelledby");
      if (!labelled) out.push(`unlabelled ${el.tagName.toLowerCase()} ${el.name || el.id}`);
    }
    const headings = Array.from(document.querySelectorAll("main h1, main h2, main h3, main h4")).map((h) =>
      Number(h.tagName.slice(1)),
    );
    if (headings.filter((h) => h === 1).length !== 1)
      out.push(`expected one h1, found ${headings.filter((h) => h === 1).length}`);
    for (let i = 1; i < headings.length; i++) {
      if ((headings[i] as number) > (headings[i - 1] as number) + 1)
        out.push(`heading level skips from h${headings[i - 1]} to h${headings[i]}`);
    }
    for (const button of Array.from(document.querySelectorAll("button, a[href]"))) {
      if (!(button.textContent ?? "").trim() && !button.getAttribute("aria-label"))
        out.push(`unnamed ${button.tagName}`);
    }
    return out;
  });
}
