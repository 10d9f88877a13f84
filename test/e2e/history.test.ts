/** The history pages on the demo history: index, benchmark trend, call sites, commit, latest, run links. */
import type { Page } from "playwright-core";
import { describe, expect, inject, test } from "vitest";
import { siteSession } from "./browser.ts";

const url = inject("siteUrl");
const session = siteSession(url);
let page: Page;

async function open(path: string): Promise<void> {
  page = await session.open(path);
}

const REGRESSION_SHA = "80213f93aacc0371ccca3e6085f4a6a85e5e7564";
const trend = () => page.getByRole("img", { name: /across commits/ });

describe("index", () => {
  test("one row per benchmark, sortable, and the failed capture flagged", async () => {
    await open("/");
    const table = page.getByRole("table");
    for (const name of ["import_orders", "render_report", "import_orders [native]", "render_report [aggregated]"]) {
      await expect(table.getByRole("link", { name, exact: true }).count()).resolves.toBe(1);
    }
    await expect(table.getByRole("row", { name: /broken/ }).innerText()).resolves.toContain("latest run failed");
    await expect(table.getByRole("row", { name: /^import_orders main/ }).getByRole("img", { name: /Peak memory of the last 10 runs/ }).count()).resolves.toBe(1);
    const names = () => table.locator("tbody th a:first-child").allInnerTexts();
    await page.getByRole("button", { name: "Peak" }).click();
    const ascending = await names();
    await page.getByRole("button", { name: "Peak" }).click();
    await expect(names()).resolves.not.toEqual(ascending);
    await page.getByRole("searchbox", { name: "Filter" }).fill("render");
    await expect(page.getByRole("status").innerText()).resolves.toMatch(/^2 of \d+ shown$/);
    await expect(table.getByRole("link", { name: "import_orders", exact: true }).isVisible()).resolves.toBe(false);
    await page.getByRole("searchbox", { name: "Filter" }).fill("");
    await table.getByRole("link", { name: "import_orders", exact: true }).click();
    await page.waitForURL("**/benchmarks/import_orders/");
  });
});

describe("benchmark page", () => {
  test("the trend shows every main run and marks the regression at 80213f9; a click on the point opens it", async () => {
    await open("/benchmarks/import_orders/");
    await trend().locator("canvas").first().waitFor();
    // Ten commits on main; the memray upgrade (b1c9675) changed capture settings: a break, not a regression.
    // After the regression's partial fix the level stays 12.7% above the window's lowest run: drift.
    await expect(trend().getAttribute("aria-label")).resolves.toMatch(/10 runs on main;.* 1 regression, 1 settings change, drift \+12\.7% since b1c9675 over the baseline\./);
    const markers = page.getByRole("link", { name: /^Regression at / });
    await expect(markers.count()).resolves.toBe(1);
    await expect(markers.first().getAttribute("aria-label")).resolves.toMatch(/^Regression at 80213f9 on main: \+[\d.]+ MB \(\+40\.\d%\)$/);
    // The marker sits above its point: click the chart's canvas at the point itself.
    const at = await markers.first().evaluate((m) => ({ x: parseFloat((m as HTMLElement).style.left), y: parseFloat((m as HTMLElement).style.top) }));
    await trend().locator("canvas").first().click({ position: at });
    await page.waitForURL(/\/runs\/[^/]*80213f9[^/]*\/$/);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toContain("80213f9");
  });

  test("metrics switch, other branches overlay, the regression marker is a link", async () => {
    await open("/benchmarks/import_orders/");
    await trend().locator("canvas").first().waitFor();
    await page.getByRole("radio", { name: "Leaked" }).check();
    await expect.poll(() => trend().getAttribute("aria-label")).toMatch(/^Leaked of import_orders/);
    await page.getByRole("radio", { name: "Allocations" }).check();
    await expect.poll(() => trend().getAttribute("aria-label")).toMatch(/^Allocations of import_orders.* 0 regressions/);
    await page.getByRole("radio", { name: "Peak memory" }).check();
    await page.getByRole("checkbox", { name: "feature/streaming-import" }).check();
    await expect.poll(() => trend().getAttribute("aria-label")).toMatch(/10 runs on main, 1 other branch overlaid/);
    await page.getByRole("link", { name: /^Regression at 80213f9/ }).click();
    await page.waitForURL(/\/runs\/[^/]*80213f9[^/]*\/$/);
  });

  test("the call-site trend draws", async () => {
    await open("/benchmarks/import_orders/");
    const chart = page.getByRole("img", { name: /^Call sites at the peak of import_orders/ });
    await chart.locator("canvas").first().waitFor();
    // The top call sites ingest records in each entry.
    await expect(chart.getAttribute("aria-label")).resolves.toMatch(/across 10 runs: [1-9]\d* top call sites? and other/);
  });

  test("the runs table lists every run with its change, paginated by branch", async () => {
    await open("/benchmarks/import_orders/");
    const runs = page.getByRole("region", { name: "Runs" }).getByRole("table");
    await runs.waitFor();
    await expect(runs.locator("tbody tr").count()).resolves.toBe(12);
    await expect(runs.getByRole("row", { name: /^80213f9\b/ }).innerText()).resolves.toMatch(/\+[\d.]+ MB \(\+40\.\d%\)\s*regression/);
    await page.getByRole("combobox", { name: "Branch" }).selectOption({ label: "feature/streaming-import" });
    await expect.poll(() => runs.locator("tbody tr").count()).toBe(2);
    // The branch's first run (a pull request's) against main's run before it, as its commit page says.
    await expect(runs.getByRole("row", { name: /^5e38e97\b/ }).innerText()).resolves.toMatch(/-19\.3 MB \(-29\.8%\)/);
    // Its change links the comparison of exactly that pair.
    await expect(runs.getByRole("row", { name: /^5e38e97\b/ }).getByRole("link", { name: "Compare 5e38e97 with 8281046" }).getAttribute("href")).resolves.toMatch(/\/compare\/import_orders-8281046[^/]*\/import_orders-5e38e97[^/]*\/$/);
  });

  test("render_report's slow growth is flagged as drift on the index and its chart", async () => {
    await open("/");
    await expect(page.locator("p.lead").innerText()).resolves.not.toContain("no regressions");
    await expect(page.locator("p.lead").innerText()).resolves.toMatch(/drifted over their baseline/);
    const row = page.getByRole("table").getByRole("row", { name: /^render_report main/ });
    await expect(row.innerText()).resolves.toMatch(/\+592 kB \(\+1\.9%\)[\s\S]*drift \+4\.40 MB \(\+16\.0%\) over 6 runs/);
    await open("/benchmarks/render_report/");
    await trend().locator("canvas").first().waitFor();
    await expect(trend().getAttribute("aria-label")).resolves.toMatch(/0 regressions, 1 settings change, drift \+\d+\.\d% since b1c9675.* over the baseline\.$/);
    await expect(page.locator("dl.meta").innerText()).resolves.toContain("drift: +4.40 MB (+16.0%) over the last 6 runs");
  });

  test("latest/ redirects to the newest run on main", async () => {
    await open("/benchmarks/import_orders/latest/");
    await page.waitForURL(/\/runs\/[^/]*f362419[^/]*\/$/);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toMatch(/^import_orders\s+f362419$/);
  });
});

describe("commit and run pages", () => {
  test("a run links its neighbours on its branch, its commit and its benchmark", async () => {
    await open(`/benchmarks/import_orders/`);
    // Both charts drawn first, so leaving the page aborts no chunk download.
    await page.getByRole("img", { name: /^Call sites/ }).locator("canvas").first().waitFor();
    await page.getByRole("region", { name: "Runs" }).getByRole("link", { name: "80213f9", exact: true }).click();
    const nav = page.getByRole("navigation", { name: "Related pages" });
    await expect(nav.getByRole("link", { name: "Previous on main: a55ec1e" }).count()).resolves.toBe(1);
    await expect(nav.getByRole("link", { name: "Next on main: 84b1b36" }).count()).resolves.toBe(1);
    await expect(nav.getByRole("link", { name: "Benchmark import_orders" }).count()).resolves.toBe(1);
    // Leave once the run's views have loaded their data (an aborted fetch counts as a failed request).
    await page.waitForLoadState("networkidle");
    await nav.getByRole("link", { name: "Commit 80213f9" }).click();
    await page.waitForURL(`**/commits/${REGRESSION_SHA}/`);
  });

  test("a commit page lists every benchmark's run with its change", async () => {
    await open(`/commits/${REGRESSION_SHA}/`);
    const table = page.getByRole("table");
    const io = table.getByRole("row", { name: /^import_orders\b(?! \[)/ });
    await expect(io.innerText()).resolves.toMatch(/80213f9[\s\S]*a55ec1e[\s\S]*\+[\d.]+ MB \(\+40\.\d%\)[\s\S]*regression/);
    const rr = table.getByRole("row", { name: /^render_report\b/ });
    await expect(rr.innerText()).resolves.toMatch(/80213f9[\s\S]*a55ec1e[\s\S]*([+-][\d.]+ [kM]?B \([+-][\d.]+%\)|±0 B)/);
    await expect(table.locator("tbody tr").count()).resolves.toBe(2);
    // Every row fits the first screen: nothing left to load.
    await expect(page.getByRole("button", { name: /more$/ }).count()).resolves.toBe(0);
    // The change links its comparison page (diff flame graph).
    await io.getByRole("link", { name: "compare" }).click();
    await page.waitForURL(/\/compare\/[^/]+\/[^/]+\/$/);
  });

  test("a pruned run keeps its page: summary, top call sites, a note, no flame views", async () => {
    await open("/benchmarks/import_orders/");
    await page.getByRole("img", { name: /^Call sites/ }).locator("canvas").first().waitFor();
    const row = page.getByRole("region", { name: "Runs" }).getByRole("row", { name: /^e57d93b\b/ });
    await expect(row.innerText()).resolves.toContain("pruned");
    await row.getByRole("link", { name: "e57d93b", exact: true }).click();
    await expect(page.getByRole("note").filter({ hasText: "pruned" }).innerText()).resolves.toContain("full data");
    await expect(page.locator("dl.meta.figures").innerText()).resolves.toContain("Peak memory");
    await expect(page.getByRole("table").locator("tbody tr").count()).resolves.toBeGreaterThan(0);
    await expect(page.getByRole("tab").count()).resolves.toBe(0);
  });

  test("a pull request's first run compares with main's run before it, and links exactly that comparison", async () => {
    await open("/commits/5e38e97a6b4c97685d72367cf8900c871b380ff9/");
    const io = page.getByRole("table").getByRole("row", { name: /^import_orders\b/ });
    await expect(io.innerText()).resolves.toMatch(/5e38e97[\s\S]*8281046[\s\S]*-19\.3 MB \(-29\.8%\)[\s\S]*regression/);
    const rr = page.getByRole("table").getByRole("row", { name: /^render_report\b/ });
    await expect(rr.innerText()).resolves.toMatch(/drift: \+3\.81 MB \(\+13\.9%\)/);
    await io.getByRole("link", { name: "compare" }).click();
    await page.waitForURL(/\/compare\/import_orders-8281046[^/]*\/import_orders-5e38e97[^/]*\/$/);
  });
});
