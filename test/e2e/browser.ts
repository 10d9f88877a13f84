/** Chromium for the e2e tests, and a page that records console errors. */
import { chromium, type Browser, type Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect } from "vitest";

export const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: CHROMIUM_ARGS });
}

export interface WatchedPage {
  page: Page;
  errors: string[];
}

/** A new page whose console errors, page errors and failed requests are collected. */
export async function watchedPage(browser: Browser): Promise<WatchedPage> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("requestfailed", (r) => errors.push(`request failed: ${r.url()}`));
  page.on("response", (r) => {
    if (r.status() >= 400) errors.push(`HTTP ${r.status()}: ${r.url()}`);
  });
  return { page, errors };
}

/** Frames drawn by the flame graph on screen. */
export function frames(page: Page) {
  return page.locator(".flame svg g.frame");
}

/**
 * One Chromium per test file and one watched page per test: `open(path)` loads a page of the
 * fixture site at `url`; after each test, the page's console must have stayed clean.
 */
export function siteSession(url: string): { open: (path: string) => Promise<Page> } {
  let browser: Browser;
  let current: WatchedPage | null = null;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    if (current === null) return;
    const { page, errors } = current;
    current = null;
    expect(errors).toEqual([]);
    await page.close();
  });
  return {
    async open(path: string): Promise<Page> {
      current = await watchedPage(browser);
      await current.page.goto(`${url}${path}`);
      return current.page;
    },
  };
}
