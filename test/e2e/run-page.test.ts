/**
 * The run page as a reader meets it: labels that keep the function name, nothing
 * wider than the screen at 1400 px and 390 px, the graph near the top on a phone, the temporal
 * view agreeing with the peak view, the tree keeping its selection, data errors with a retry,
 * and no more script or data than the view needs.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { frames, launch, watchedPage } from "./browser.ts";
import { overflowing } from "./page-checks.ts";

const url = inject("siteUrl");
const runPaths = inject("runPaths");
const RUN = runPaths["import_orders--80213f9"]!;
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});
afterAll(async () => {
  await browser?.close();
});

/** A page at `widthPx`; its console errors are checked by the caller via `errors`. */
async function open(path: string, widthPx = 1400): Promise<{ page: Page; errors: string[] }> {
  const w = await watchedPage(browser);
  await w.page.setViewportSize({ width: widthPx, height: 900 });
  await w.page.goto(`${url}${path}`);
  return w;
}

async function frameNames(page: Page): Promise<string[]> {
  await frames(page).first().waitFor();
  return frames(page).evaluateAll((gs) => gs.map((g) => g.getAttribute("data-frame") ?? ""));
}

/**
 * Frame labels drawn on screen whose start is not the frame's function name, or whose first
 * characters are cut off (a right-aligned label shows "…rders.py:122").
 */
function badLabels(page: Page): Promise<string[]> {
  return frames(page).evaluateAll((gs) => {
    const bad: string[] = [];
    let shown = 0;
    for (const g of gs) {
      const div = g.querySelector<HTMLElement>(".d3-flame-graph-label");
      const full = g.getAttribute("data-frame") ?? "";
      if (!div || getComputedStyle(div).display === "none" || full === "root" || / smaller frames$/.test(full)) continue;
      const text = div.textContent ?? "";
      const fn = full.split(" at ")[0]!;
      shown++;
      if (!text.startsWith(fn)) bad.push(`"${text}" for ${full}`);
      const node = div.firstChild;
      if (!node) continue;
      const range = document.createRange();
      range.setStart(node, 0);
      range.setEnd(node, Math.min(2, text.length));
      const first = range.getBoundingClientRect();
      const box = div.getBoundingClientRect();
      if (first.left < box.left - 1 || first.right > box.right + 1) bad.push(`start of "${text}" cut off`);
    }
    if (shown === 0) bad.push("no labels drawn");
    return bad;
  });
}

/** Open each tab in turn on one page and wait for what it draws. */
async function eachView(page: Page, views: readonly string[], check: (view: string) => Promise<void>): Promise<void> {
  const tabs: Record<string, string> = { peak: "Peak", inverted: "Inverted", temporary: "Temporary allocations", temporal: "Temporal", tree: "Tree", stats: "Stats" };
  for (const view of views) {
    await page.getByRole("tab", { name: tabs[view], exact: true }).click();
    if (view === "stats") await page.getByRole("img", { name: /Histogram/ }).locator("canvas").first().waitFor();
    else if (view === "tree") await page.getByRole("treeitem").first().waitFor();
    else {
      await frames(page).first().waitFor();
      // Labels are written when the draw's transition ends.
      await page.waitForTimeout(400);
    }
    await check(view);
  }
}

describe("frame labels", () => {
  for (const widthPx of [1400, 390]) {
    test(`at ${widthPx} px every label starts with its function name`, async () => {
      const { page, errors } = await open(RUN, widthPx);
      await eachView(page, ["peak", "inverted", "temporary"], async (view) => {
        expect(await badLabels(page), view).toEqual([]);
        if (widthPx === 1400) {
          // A wide frame still shows where it is.
          const labels = await page.locator(".flame .d3-flame-graph-label").allTextContents();
          expect(labels.some((l) => /\S+ at \S+\.py:\d+/.test(l)), view).toBe(true);
        }
      });
      expect(errors).toEqual([]);
      await page.close();
    });
  }
});

describe("layout at 1400 px and 390 px", () => {
  for (const widthPx of [1400, 390]) {
    test(`at ${widthPx} px nothing is wider than the viewport`, async () => {
      const { page, errors } = await open(RUN, widthPx);
      await eachView(page, ["peak", "inverted", "temporal", "tree", "stats"], async (view) => {
        expect(await overflowing(page), view).toEqual([]);
      });
      await page.goto(`${url}/`);
      await page.getByRole("table").first().waitFor();
      expect(await overflowing(page), "index").toEqual([]);
      expect(errors).toEqual([]);
      await page.close();
    });
  }

  test("stats at 1400 px: every figure is inside its own table and column; the histogram is log-scaled", async () => {
    const { page, errors } = await open(`${RUN}#view=stats`, 1400);
    await page.getByRole("img", { name: /Histogram of allocation sizes \(log scale\)/ }).locator("canvas").first().waitFor();
    const problems = await page.locator(".stats section").evaluateAll((sections) =>
      sections.flatMap((s) => {
        const box = s.getBoundingClientRect();
        return [...s.querySelectorAll("td")].flatMap((td) => {
          const r = td.getBoundingClientRect();
          const out: string[] = [];
          if (r.right > box.right + 1 || r.left < box.left - 1) out.push(`"${td.textContent}" outside its section`);
          if (td.scrollWidth > td.clientWidth + 1) out.push(`"${td.textContent}" overflows its cell`);
          return out;
        });
      }),
    );
    expect(problems).toEqual([]);
    // Sizes are on screen.
    const sizes = page.getByRole("heading", { name: "Top locations by size" }).locator("xpath=..").locator("td.num");
    await expect(sizes.first().isVisible()).resolves.toBe(true);
    await expect(sizes.first().innerText()).resolves.toMatch(/[\d.]+ [kMG]?B/);
    expect(errors).toEqual([]);
    await page.close();
  });

  test("390 px: the flame graph starts on the first screen", async () => {
    const { page, errors } = await open(RUN, 390);
    await frames(page).first().waitFor();
    const top = await page.getByTestId("flame").evaluate((el) => el.getBoundingClientRect().top + window.scrollY);
    expect(top).toBeLessThan(800);
    // The capture details are still on the page, after the report.
    await expect(page.getByText("Command line").isVisible()).resolves.toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("flame chart", () => {
  test("filters, width and layout update the chart in place", async () => {
    const { page, errors } = await open(runPaths.threads!);
    await frames(page).first().waitFor();
    const svg = await page.locator(".flame svg").elementHandle();
    await page.getByRole("checkbox", { name: "Hide import system" }).check();
    await expect.poll(async () => (await frameNames(page)).some((n) => n.includes("json/__init__.py"))).toBe(false);
    await page.getByRole("combobox", { name: "Layout" }).selectOption("flame");
    await page.setViewportSize({ width: 1000, height: 900 });
    await expect.poll(async () => Number(await page.locator(".flame svg").getAttribute("width"))).toBeLessThan(1000);
    // The same <svg> throughout: moved and resized, not torn down and drawn again.
    await expect(svg!.evaluate((s) => s.isConnected)).resolves.toBe(true);
    await expect(page.locator(".flame svg").count()).resolves.toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("temporal view", () => {
  test("over the whole run it shows the peak view's frames, without memray's own", async () => {
    const { page, errors } = await open(RUN);
    const peak = new Set(await frameNames(page));
    await page.getByRole("tab", { name: "Temporal" }).click();
    await page.getByRole("img", { name: /Resident set size/ }).locator("canvas").first().waitFor();
    await expect.poll(async () => (await frameNames(page)).some((n) => n.includes("import_orders.py"))).toBe(true);
    const temporal = new Set(await frameNames(page));
    for (const n of temporal) expect(n).not.toMatch(/_run_with_file_output|runpy|memray\/commands\/__init__\.py|bin\/memray/);
    // Same top of the graph, same frames in it (pruning aside).
    const named = (s: Set<string>) => [...s].filter((n) => !n.endsWith("smaller frames")).sort();
    expect(named(temporal)).toEqual(named(peak));
    await expect(page.getByRole("status").filter({ hasText: "Range" }).innerText()).resolves.toContain("87.2 MB shown");
    // Shown on request, as memray's page shows them.
    await page.getByRole("checkbox", { name: "Hide irrelevant frames" }).uncheck();
    await expect.poll(async () => (await frameNames(page)).some((n) => n.includes("_run_with_file_output"))).toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("tree", () => {
  test("i and u keep the selection; filters live in the URL", async () => {
    const { page, errors } = await open(`${RUN}#view=tree`);
    const tree = page.getByRole("tree");
    await tree.getByRole("treeitem").first().waitFor();
    await tree.focus();
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("e");
    const details = page.getByRole("complementary", { name: "Frame details" });
    const selected = async () => (await details.getByRole("heading").innerText()) + (await tree.getByRole("treeitem", { selected: true }).innerText());
    const before = await selected();
    expect(before).not.toContain("Root");
    await page.keyboard.press("u");
    await expect.poll(() => page.url()).toContain("irrelevant=show");
    expect(await selected()).toBe(before);
    await page.keyboard.press("i");
    await expect.poll(() => page.url()).toContain("imports=hide");
    expect(await selected()).toBe(before);
    await page.keyboard.press("u");
    expect(await selected()).toBe(before);
    expect(errors).toEqual([]);
    await page.close();
  });

  test("a long path can be read: the row's title holds it, the side panel wraps it", async () => {
    const { page, errors } = await open(`${RUN}#view=tree&irrelevant=show`);
    const row = page.getByRole("treeitem").filter({ hasText: "site-packages" }).first();
    await row.waitFor();
    const title = await row.getAttribute("title");
    expect(title).toMatch(/^\S+ at \/.*site-packages\/.*\.py:\d+$/);
    await row.click();
    const panel = page.getByRole("complementary", { name: "Frame details" });
    await expect(panel.innerText()).resolves.toContain(title!.split(" at ")[1]!);
    const clipped = await panel.evaluate((p) => [...p.querySelectorAll("*")].filter((el) => el.scrollWidth > el.clientWidth + 1).map((el) => el.tagName));
    expect(clipped).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe("data files", () => {
  test("a file that fails to load says so and can be retried", async () => {
    const { page, errors } = await watchedPage(browser);
    let fail = true;
    await page.route("**/tree.json", (route) => (fail ? route.fulfill({ status: 503, body: "busy" }) : route.fallback()));
    await page.goto(`${url}${RUN}#view=tree`);
    const alert = page.getByRole("alert");
    await expect(alert.innerText()).resolves.toMatch(/Could not load the tree: .*503/);
    fail = false;
    await alert.getByRole("button", { name: "Retry" }).click();
    await page.getByRole("treeitem").first().waitFor();
    expect(errors.filter((e) => !e.includes("tree.json") && !e.includes("503"))).toEqual([]);
    await page.close();
  });

  test("opening another view directly preloads nothing it does not use", async () => {
    const { page, errors } = await watchedPage(browser);
    const warnings: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "warning") warnings.push(m.text());
    });
    const fetched: string[] = [];
    page.on("request", (r) => fetched.push(new URL(r.url()).pathname));
    await page.goto(`${url}${RUN}#view=stats`);
    await page.getByRole("heading", { name: "Allocators" }).waitFor();
    // Chromium warns about an unused preload a few seconds after the load event.
    await page.waitForTimeout(4000);
    expect(warnings.filter((w) => /preload/i.test(w))).toEqual([]);
    expect(fetched.some((p) => p.endsWith("/peak.json"))).toBe(false);
    expect(errors).toEqual([]);
    await page.close();
  });

  test("the peak view still gets its data preloaded", async () => {
    const { page, errors } = await open(RUN);
    await frames(page).first().waitFor();
    await expect(page.locator('link[rel="preload"][href$="/peak.json"]').count()).resolves.toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });

  test("chart views load only the echarts parts they use", async () => {
    const full = readFileSync(createRequire(import.meta.url).resolve("echarts/dist/echarts.min.js")).length;
    const jsBytes = async (hash: string, ready: (p: Page) => Promise<unknown>) => {
      const { page, errors } = await watchedPage(browser);
      const sizes = new Map<string, number>();
      page.on("response", async (r) => {
        if (r.url().endsWith(".js")) sizes.set(r.url(), (await r.body()).length);
      });
      await page.goto(`${url}${RUN}${hash}`);
      await ready(page);
      await page.waitForTimeout(300);
      expect(errors).toEqual([]);
      await page.close();
      return [...sizes.values()].reduce((a, b) => a + b, 0);
    };
    const base = await jsBytes("#view=tree", (p) => p.getByRole("treeitem").first().waitFor());
    const stats = await jsBytes("#view=stats", (p) => p.getByRole("img", { name: /Histogram/ }).locator("canvas").first().waitFor());
    const temporal = await jsBytes("#view=temporal", (p) => p.getByRole("img", { name: /Resident set size/ }).locator("canvas").first().waitFor());
    // What the chart adds to the page is well under the whole library.
    expect(stats - base).toBeLessThan(0.6 * full);
    expect(temporal - base).toBeLessThan(0.6 * full);
  });
});

describe("run facts", () => {
  test("the temporary view states its threshold", async () => {
    const { page, errors } = await open(`${RUN}#view=temporary`);
    await frames(page).first().waitFor();
    await expect(page.getByText(/Temporary allocations: blocks freed .* with at most 1 other allocation in between \(threshold 1/).isVisible()).resolves.toBe(true);
    expect(errors).toEqual([]);
    await page.close();
  });

  test("the index dates a failed run as unknown, not 1970, and flags a killed capture", async () => {
    const { page, errors } = await open("/");
    const broken = page.getByRole("row").filter({ has: page.getByRole("link", { name: "broken" }) });
    await expect(broken.innerText()).resolves.not.toContain("1970");
    await expect(broken.innerText()).resolves.toContain("unknown");
    const killed = page.getByRole("row").filter({ has: page.getByRole("link", { name: "killed" }) });
    await expect(killed.innerText()).resolves.toContain("incomplete");
    expect(errors).toEqual([]);
    await page.close();
  });

  test("a killed capture's page says it is incomplete", async () => {
    const { page, errors } = await open(runPaths.killed!);
    await expect(page.getByRole("note").innerText()).resolves.toMatch(/Incomplete capture: .*TRAILER/);
    expect(errors).toEqual([]);
    await page.close();
  });
});
