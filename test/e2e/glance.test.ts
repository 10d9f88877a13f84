/**
 * Pages a person reads at a glance: at 390 and 1400 px, light and dark, nothing on any page type
 * (index, benchmark, run in every view, commit, compare in every view, picker) is wider than
 * the viewport and every text is at least 4.5:1 against what is behind it; the flame graph by
 * keyboard alone; the function table; native frames by image and offset; memray's launcher
 * frame hidden with the irrelevant frames.
 */
import type { Page } from "playwright-core";
import { describe, expect, inject, test } from "vitest";
import { frames, siteSession } from "./browser.ts";
import { lowContrast, overflowing } from "./page-checks.ts";

const url = inject("siteUrl");
const runPaths = inject("runPaths");
const idOf = (stem: string): string => runPaths[stem]!.split("/")[2]!;
const RUN = runPaths["import_orders--80213f9"]!;
const NATIVE = runPaths["import_orders--f362419--native"]!;
const BASE_ID = idOf("import_orders--a55ec1e");
const HEAD_ID = idOf("import_orders--80213f9");
const COMPARE = `/compare/${BASE_ID}/${HEAD_ID}/`;
const PICKER = `/compare/#benchmark=import_orders&base=${BASE_ID}&head=${HEAD_ID}`;
const session = siteSession(url);
let page: Page;

const frameNames = async (): Promise<string[]> => {
  await frames(page).first().waitFor();
  return frames(page).evaluateAll((gs) => gs.map((g) => g.getAttribute("data-frame") ?? ""));
};

/** Waits for what a view draws (frames, a chart's canvas, the tree), then for the draw's transition. */
async function settle(): Promise<void> {
  // Something the view draws is on screen: a frame, a chart, the tree or a table.
  await page.waitForFunction(() =>
    Array.from(document.querySelectorAll("main g.frame, main canvas, main [role=treeitem], main table")).some((e) => e.getBoundingClientRect().height > 0),
  );
  // The flame graph's labels are written when its 250 ms transition ends; charts draw at once.
  await page.waitForTimeout(350);
}

async function checkAll(where: string, problems: string[]): Promise<void> {
  for (const o of await overflowing(page)) problems.push(`${where}: overflow ${o}`);
  for (const c of await lowContrast(page)) problems.push(`${where}: contrast ${c}`);
}

async function tabs(names: string[], where: string, problems: string[]): Promise<void> {
  for (const name of names) {
    await page.getByRole("tab", { name, exact: true }).click();
    await settle();
    await checkAll(`${where} ${name}`, problems);
  }
}

describe("fits the screen, every text ≥ 4.5:1", () => {
  for (const scheme of ["light", "dark"] as const) {
    for (const widthPx of [390, 1400]) {
      test(`${widthPx} px, ${scheme}`, async () => {
        page = await session.open("/");
        await page.setViewportSize({ width: widthPx, height: 844 });
        await page.emulateMedia({ colorScheme: scheme });
        const problems: string[] = [];
        const visit = async (path: string, views: string[] = []) => {
          await page.goto(`${url}${path}`);
          await settle();
          if (views.length === 0) await checkAll(path, problems);
          else await tabs(views, path, problems);
        };
        await visit("/");
        await visit("/benchmarks/import_orders/");
        await visit(RUN, ["Peak", "Leaks", "Temporary allocations", "Inverted", "Temporal", "Tree", "Stats"]);
        const commit = await page.getByRole("link", { name: /^Commit / }).first().getAttribute("href");
        await visit(commit!);
        await visit(COMPARE, ["Peak", "Leaks", "Temporary allocations", "Inverted"]);
        await visit(PICKER);
        expect(problems).toEqual([]);
      });
    }
  }
});

describe("keyboard only", () => {
  test("reach a frame, move, zoom with Enter, reset with Escape; the frame is announced", async () => {
    page = await session.open(RUN);
    await frames(page).first().waitFor();
    await page.getByRole("button", { name: "Reset zoom" }).waitFor();
    await page.getByRole("searchbox").first().focus();
    // Search box → Reset zoom (disabled, skipped) → the graph's one tab stop.
    let reached = false;
    for (let i = 0; i < 4 && !reached; i++) {
      await page.keyboard.press("Tab");
      reached = await page.evaluate(() => document.activeElement?.classList.contains("frame") ?? false);
    }
    expect(reached).toBe(true);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    const focused = await page.evaluate(() => document.activeElement?.getAttribute("data-frame") ?? "");
    expect(focused).toMatch(/ at import_orders\.py:\d+$/);
    await expect.poll(() => page.getByTestId("flame-announcer").textContent()).toContain(focused);
    await page.keyboard.press("Enter");
    await expect.poll(() => page.url()).toContain("zoom=");
    await page.keyboard.press("Escape");
    await expect.poll(() => page.url()).not.toContain("zoom=");
    // Back undoes a zoom step rather than leaving the page.
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await expect.poll(() => page.url()).toContain("zoom=");
    await page.goBack();
    await expect.poll(() => page.url()).not.toContain("zoom=");
    expect(new URL(page.url()).pathname).toBe(RUN);
  });
});

describe("function table", () => {
  test("sorts, filters and highlights the function's frames", async () => {
    page = await session.open(RUN);
    const table = page.getByRole("region", { name: "Functions" });
    const rows = table.locator("tbody tr");
    await rows.first().waitFor();
    const own = async () => (await rows.evaluateAll((trs) => trs.map((tr) => tr.children[1]!.textContent ?? "")));
    await table.getByRole("button", { name: "Own bytes" }).click();
    await expect(table.getByRole("columnheader", { name: "Own bytes" }).getAttribute("aria-sort")).resolves.toBe("descending");
    const toBytes = (s: string) => {
      const [n, unit] = s.split(" ");
      return Number(n) * ({ B: 1, kB: 1e3, MB: 1e6, GB: 1e9 } as Record<string, number>)[unit!]!;
    };
    const sorted = (await own()).map(toBytes);
    expect(sorted.length).toBeGreaterThan(3);
    expect(sorted).toEqual([...sorted].sort((a, b) => b - a));
    await table.getByRole("searchbox").fill("parse");
    await expect.poll(async () => (await rows.allTextContents()).every((t) => t.toLowerCase().includes("parse"))).toBe(true);
    await expect(rows.count()).resolves.toBeGreaterThan(0);
    await rows.first().getByRole("button").click();
    await expect(page.getByRole("status").filter({ hasText: "Selected function in" }).innerText()).resolves.toMatch(/Selected function in [1-9]\d* frames/);
    const highlighted = await frames(page).locator("rect").evaluateAll((rs) => rs.filter((r) => r.getAttribute("fill")?.startsWith("hsl(280")).length);
    expect(highlighted).toBeGreaterThan(0);
  });

  test("the comparison's table has base, head and change, and highlights in the diff", async () => {
    page = await session.open(COMPARE);
    const table = page.getByRole("region", { name: "Functions" });
    await table.locator("tbody tr").first().waitFor();
    const headers = await table.getByRole("columnheader").allTextContents();
    expect(headers.join("|")).toMatch(/Base total bytes.*Head total bytes.*Change/);
    await table.getByRole("searchbox").fill("iterencode");
    await table.locator("tbody tr").first().getByRole("button").click();
    const fills = await page.locator("[data-testid=diff-flame] g.frame rect").evaluateAll((rs) => rs.filter((r) => r.getAttribute("fill")?.startsWith("hsl(280")).length);
    expect(fills).toBeGreaterThan(0);
    // The run page's tools: search and zoom in the URL.
    await page.getByRole("searchbox").first().fill("dumps");
    await table.getByRole("button", { name: "Clear selection" }).click();
    await expect(page.getByRole("status").filter({ hasText: "Matched" }).innerText()).resolves.toMatch(/^Matched [1-9]\d* frames/);
    await page.locator("[data-testid=diff-flame] g.frame").nth(2).click();
    await expect.poll(() => page.url()).toContain("zoom=");
    await page.getByRole("button", { name: "Reset zoom" }).click();
    await expect.poll(() => page.url()).not.toContain("zoom=");
  });
});

describe("frames a person can read", () => {
  test("native frames by image and offset, not <unknown> at <unknown>", async () => {
    page = await session.open(NATIVE);
    const names = await frameNames();
    expect(names.filter((n) => n === "<unknown> at <unknown>")).toEqual([]);
    expect(names.some((n) => /^python3\.11\+0x[0-9a-f]+$/.test(n))).toBe(true);
    const before = names.length;
    await page.getByRole("checkbox", { name: "Collapse unresolved native frames" }).check();
    await expect.poll(async () => (await frameNames()).length).toBeLessThan(before);
    expect((await frameNames()).some((n) => /unresolved/.test(n))).toBe(false);
    await expect(page.locator(".flame .d3-flame-graph-label").allTextContents()).resolves.toContainEqual(expect.stringMatching(/\(\+\d+ unresolved\)/));
  });

  test("memray's launcher (_run_tracker) is hidden by default, shown with the irrelevant frames", async () => {
    page = await session.open(RUN);
    expect((await frameNames()).some((n) => n.startsWith("_run_tracker"))).toBe(false);
    await page.getByRole("checkbox", { name: "Hide irrelevant frames" }).uncheck();
    await expect.poll(async () => (await frameNames()).some((n) => n.startsWith("_run_tracker at "))).toBe(true);
    // The tree does not open on it either.
    await page.goto(`${url}${RUN}#view=tree`);
    const first = page.getByRole("treeitem").nth(1);
    await first.waitFor();
    await expect(first.innerText()).resolves.not.toContain("_run_tracker");
  });
});
