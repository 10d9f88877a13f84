/** The built fixture site in Chromium: every view, the controls, URL state, no console errors. */
import type { Page } from "playwright-core";
import { describe, expect, inject, test } from "vitest";
import { frames, siteSession } from "./browser.ts";

const url = inject("siteUrl");
const runPaths = inject("runPaths");
const session = siteSession(url);
let page: Page;

async function open(path: string): Promise<void> {
  page = await session.open(path);
}

async function frameNames(): Promise<string[]> {
  await frames(page).first().waitFor();
  // Each frame's full name (its drawn label is fitted to its width).
  return frames(page).evaluateAll((gs) => gs.map((g) => g.getAttribute("data-frame") ?? ""));
}

const RUN = runPaths["import_orders--80213f9"]!;

describe("index", () => {
  test("lists benchmarks (not runs) and flags the failed capture; a benchmark leads to its runs", async () => {
    await open("/");
    await expect(page.getByRole("navigation", { name: "Benchmarks" }).getByRole("link", { name: "import_orders", exact: true }).count()).resolves.toBe(1);
    await expect(page.getByRole("row", { name: /broken/ }).innerText()).resolves.toContain("latest run failed");
    await page.getByRole("row", { name: /^import_orders main/ }).getByRole("link", { name: /MB$/ }).click();
    await page.waitForURL(`**${runPaths["import_orders--f362419"]}`);
    await frames(page).first().waitFor();
  });
});

describe("run page", () => {
  test("shows the header metadata", async () => {
    await open(RUN);
    const meta = (await page.locator("dl.meta").allInnerTexts()).join("\n");
    for (const text of ["Command line", "--row-cache all", "pymalloc", "Native traces", "Peak memory", "Total allocated", "Allocations", "Temporary-allocation threshold"]) {
      expect(meta).toContain(text);
    }
  });

  test("every view renders", async () => {
    await open(RUN);
    for (const view of ["Peak", "Leaks", "Temporary allocations", "Inverted", "Temporal"]) {
      await page.getByRole("tab", { name: view, exact: true }).click();
      await expect(page.getByRole("tab", { name: view, exact: true }).getAttribute("aria-selected")).resolves.toBe("true");
      expect((await frameNames()).length, view).toBeGreaterThan(2);
    }
    await page.getByRole("tab", { name: "Tree" }).click();
    await page.getByRole("tree").getByRole("treeitem").first().waitFor();
    await page.getByRole("tab", { name: "Stats" }).click();
    await page.getByRole("heading", { name: "Allocators" }).waitFor();
    await page.getByRole("img", { name: /Histogram/ }).locator("canvas").first().waitFor();
  });

  test("the peak flame graph shows the row cache branch, with tooltips as text", async () => {
    await open(RUN);
    const names = await frameNames();
    expect(names.some((n) => n.includes("remember at import_orders.py"))).toBe(true);
    await frames(page).filter({ hasText: "remember" }).first().hover();
    const tip = page.getByRole("tooltip");
    await expect(tip.innerText()).resolves.toMatch(/remember[\s\S]*import_orders\.py:\d+[\s\S]*MB \([\d.]+% of total\), [\d,]+ allocations/);
  });

  test("hiding irrelevant frames shows and hides the runtime's frames", async () => {
    await open(RUN);
    const hidden = await frameNames();
    expect(hidden.some((n) => n.includes("runpy"))).toBe(false);
    await page.getByRole("checkbox", { name: "Hide irrelevant frames" }).uncheck();
    await expect.poll(async () => (await frameNames()).some((n) => n.includes("runpy"))).toBe(true);
    expect(page.url()).toContain("irrelevant=show");
  });

  test("flame/icicle toggle flips the root", async () => {
    await open(RUN);
    const rootY = async () => {
      await frames(page).first().waitFor();
      return page.locator(".flame svg g.frame").first().evaluate((g) => g.getBoundingClientRect().top);
    };
    const icicle = await rootY();
    await page.getByRole("combobox", { name: "Layout" }).selectOption("flame");
    await expect.poll(rootY).toBeGreaterThan(icicle);
  });

  test("search reports the matched share of bytes", async () => {
    await open(RUN);
    await frames(page).first().waitFor();
    await page.getByRole("searchbox", { name: "Search" }).fill("remember");
    await expect(page.getByRole("status").filter({ hasText: "Matched" }).innerText()).resolves.toMatch(/Matched \d+ frames: [\d.]+ MB \([\d.]+% of/);
    expect(page.url()).toContain("q=remember");
  });

  test("clicking a frame zooms; the URL reproduces it; reset goes back", async () => {
    await open(RUN);
    await frames(page).filter({ hasText: "build_indexes" }).first().click();
    // The zoom is the frame's path (function, file, line from the root), not a node number.
    await expect.poll(() => page.url()).toMatch(/zoom=[^&]*build_indexes%09[^&]*import_orders\.py%3A\d+/);
    const zoomed = page.url();
    const widthOf = () => frames(page).filter({ hasText: "build_indexes" }).first().locator("rect").evaluate((r) => r.getBoundingClientRect().width);
    await expect.poll(widthOf).toBeGreaterThan(900);
    await page.goto("about:blank");
    await page.goto(zoomed);
    await expect.poll(widthOf).toBeGreaterThan(900);
    await page.getByRole("button", { name: "Reset zoom" }).click();
    await expect.poll(() => page.url()).not.toContain("zoom=");
    await expect.poll(widthOf).toBeLessThan(900);
  });

  test("the URL restores view, layout, search and options", async () => {
    await open(`${RUN}#view=inverted&layout=flame&q=dumps&irrelevant=show`);
    await expect(page.getByRole("tab", { name: "Inverted" }).getAttribute("aria-selected")).resolves.toBe("true");
    await expect(page.getByRole("combobox", { name: "Layout" }).inputValue()).resolves.toBe("flame");
    await expect(page.getByRole("searchbox", { name: "Search" }).inputValue()).resolves.toBe("dumps");
    await expect(page.getByRole("checkbox", { name: "Hide irrelevant frames" }).isChecked()).resolves.toBe(false);
  });
});

describe("threads and time", () => {
  const THREADS = runPaths.threads!;

  test("hiding the import system removes the frames run inside an import", async () => {
    await open(THREADS);
    const width = async () => {
      await frames(page).first().waitFor();
      return frames(page).first().locator("rect").evaluate((r) => r.getBoundingClientRect().width);
    };
    // The root's width less the graph's: the page's scroll bar may come and go as the tables
    // below the graph load, so the root is measured against the graph it spans, not a pixel count.
    const shortfall = async () => {
      await frames(page).first().waitFor();
      return frames(page).first().locator("rect").evaluate((r) => (r as SVGRectElement).ownerSVGElement!.getBoundingClientRect().width - r.getBoundingClientRect().width);
    };
    // The root spans the graph once drawn.
    await expect.poll(width).toBeGreaterThan(900);
    await expect.poll(shortfall).toBeCloseTo(0, 0);
    // The share of the graph that `main` (the import's caller) spans.
    const mainShare = () =>
      frames(page)
        .filter({ hasText: /^main\b/ })
        .first()
        .locator("rect")
        .evaluate((r) => r.getBoundingClientRect().width / (r as SVGRectElement).ownerSVGElement!.getBoundingClientRect().width);
    const mainBefore = await mainShare();
    expect(mainBefore).toBeGreaterThan(0.1);
    expect(mainBefore).toBeLessThan(0.99);
    // Import machinery frames are irrelevant (hidden); the module run by the import is not.
    await expect.poll(async () => (await frameNames()).some((n) => n.includes("json/__init__.py"))).toBe(true);
    expect((await frameNames()).some((n) => n.includes("importlib"))).toBe(false);
    await page.getByRole("checkbox", { name: "Hide import system" }).check();
    await expect.poll(async () => (await frameNames()).some((n) => n.includes("json/__init__.py"))).toBe(false);
    // Their bytes still count in the parents: `main` keeps its share, the root still spans the graph.
    await expect.poll(mainShare).toBeCloseTo(mainBefore, 2);
    await expect.poll(shortfall).toBeCloseTo(0, 0);
    expect(page.url()).toContain("imports=hide");
  });

  test("the thread filter keeps one thread's frames", async () => {
    await open(THREADS);
    const all = await frameNames();
    expect(all.some((n) => n.includes("worker_loop"))).toBe(true);
    expect(all.some((n) => n.includes("load_early"))).toBe(true);
    const select = page.getByRole("combobox", { name: "Thread" });
    const worker = await select.locator("option", { hasText: "worker" }).getAttribute("value");
    await select.selectOption(worker!);
    await expect.poll(async () => (await frameNames()).some((n) => n.includes("load_early"))).toBe(false);
    expect((await frameNames()).some((n) => n.includes("worker_loop"))).toBe(true);
    expect(page.url()).toContain("thread=");
  });

  test("the temporal range changes the flame graph", async () => {
    await open(`${THREADS}#view=temporal`);
    await page.getByRole("img", { name: /Resident set size/ }).locator("canvas").first().waitFor();
    // Whole run: the high-water mark is at 200 ms (load_early's 3 MB plus the worker).
    await expect.poll(async () => (await frameNames()).some((n) => n.includes("load_early"))).toBe(true);
    // From 350 ms the range's high-water mark is after load_early's block was freed.
    await page.getByRole("spinbutton", { name: "From (ms)" }).fill("350");
    await expect.poll(async () => (await frameNames()).some((n) => n.includes("load_early"))).toBe(false);
    expect((await frameNames()).some((n) => n.includes("load_late"))).toBe(true);
    expect(page.url()).toMatch(/range=350-\d+/);
    // Leaks in the range: what was allocated there and never freed.
    await page.getByRole("combobox", { name: "Snapshot" }).selectOption("leaks");
    await expect.poll(async () => (await frameNames()).some((n) => n.includes("load_late"))).toBe(true);
  });
});

describe("tree summary", () => {
  test("keys expand, move and toggle filters", async () => {
    await open(`${RUN}#view=tree`);
    const tree = page.getByRole("tree");
    await tree.getByRole("treeitem").first().waitFor();
    await tree.focus();
    await page.keyboard.press("ArrowDown");
    const before = await tree.getByRole("treeitem").count();
    await page.keyboard.press("e");
    await expect.poll(() => tree.getByRole("treeitem").count()).toBeGreaterThan(before);
    const details = page.getByRole("complementary", { name: "Frame details" });
    const heading = await details.getByRole("heading").innerText();
    await page.keyboard.press("ArrowDown");
    await expect.poll(() => details.getByRole("heading").innerText()).not.toBe(heading);
    await page.keyboard.press("u");
    await expect(page.getByRole("checkbox", { name: /Show uninteresting/ }).isChecked()).resolves.toBe(true);
    await page.keyboard.press("i");
    await expect(page.getByRole("checkbox", { name: /Hide import system/ }).isChecked()).resolves.toBe(true);
    await page.keyboard.press("ArrowLeft");
  });
});

describe("failed and aggregated captures", () => {
  test("a failed capture has a page with its error", async () => {
    await open(runPaths.broken!);
    await expect(page.getByRole("alert").innerText()).resolves.toContain("broken.bin could not be read");
  });

  test("an aggregated capture shows what it has", async () => {
    await open(runPaths["render_report--f362419--aggregate"]!);
    expect((await frameNames()).length).toBeGreaterThan(2);
    await expect(page.getByRole("tab", { name: "Temporary allocations" }).count()).resolves.toBe(0);
  });
});
