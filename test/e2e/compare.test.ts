/** Compare pages and the picker in Chromium: both colours, the tooltip's delta, the base/head toggle, URL state. */
import type { Page } from "playwright-core";
import { describe, expect, inject, test } from "vitest";
import { siteSession } from "./browser.ts";

const url = inject("siteUrl");
const runPaths = inject("runPaths");
/** Run ids come from each capture and its metadata: capture file stem → id. */
const idOf = (stem: string): string => runPaths[stem]!.split("/")[2]!;
const PAGE = `/compare/${idOf("import_orders--a55ec1e")}/${idOf("import_orders--80213f9")}/`;
const session = siteSession(url);
let page: Page;

async function open(path: string): Promise<void> {
  page = await session.open(path);
}

const diffFrames = () => page.locator("[data-testid=diff-flame] svg g.frame");

async function names(): Promise<string[]> {
  await diffFrames().first().waitFor();
  return diffFrames().evaluateAll((gs) => gs.map((g) => g.getAttribute("name") ?? ""));
}

async function fills(): Promise<string[]> {
  await diffFrames().first().waitFor();
  return diffFrames().locator("rect").evaluateAll((rs) => rs.map((r) => r.getAttribute("fill") ?? ""));
}

describe("compare page", () => {
  test("the run page links its comparison", async () => {
    await open(runPaths["import_orders--80213f9"]!);
    // Let the run page finish its own fetches: leaving mid-request counts as a failed request.
    await page.waitForLoadState("networkidle");
    await page.locator(".compare-links").getByRole("link", { name: "a55ec1e" }).click();
    await page.waitForURL(`**${PAGE}`);
    await diffFrames().first().waitFor();
  });

  test("draws the diff with both colours, the stats side by side and the call sites", async () => {
    await open(PAGE);
    const colours = await fills();
    expect(colours.some((c) => c.startsWith("hsl(4,")), "a frame that grew").toBe(true);
    expect(colours.some((c) => c.startsWith("hsl(214,")), "a frame that shrank").toBe(true);
    const stats = await page.getByRole("table", { name: "Figures side by side" }).innerText();
    expect(stats).toMatch(/Peak memory\s+62\.1 MB\s+87\.2 MB\s+\+25\.1 MB \(\+40\.5%\) regression/);
    await expect(page.getByRole("table", { name: "Grew most" }).locator("tbody tr").count()).resolves.toBeGreaterThan(0);
    await expect(page.getByRole("table", { name: "Shrank most" }).locator("tbody tr").count()).resolves.toBeGreaterThan(0);
  });

  test("the tooltip shows base, head and the delta in bytes and percent", async () => {
    await open(PAGE);
    await diffFrames().first().waitFor();
    await diffFrames().filter({ hasText: "import_orders.py" }).first().hover();
    const tip = await page.getByRole("tooltip").innerText();
    expect(tip).toMatch(/base [\d.]+ [kMG]?B → head [\d.]+ [kMG]?B/);
    expect(tip).toMatch(/change [+-]?[\d.]+ [kMG]?B \(([+-][\d.]+%|new|0%)\)/);
  });

  test("the base/head toggle changes what is drawn and is kept in the URL", async () => {
    await open(PAGE);
    // Stacks new in head (json's dumps, 14.7 MB) are drawn by head width only.
    const head = await names();
    expect(head.some((n) => n.includes("[new]"))).toBe(true);
    await page.getByRole("radio", { name: /base bytes/ }).check();
    await page.waitForFunction(() => document.querySelector("[data-testid=diff-flame]")?.getAttribute("data-width") === "base");
    const base = await names();
    expect(base).not.toEqual(head);
    expect(base.some((n) => n.includes("[new]"))).toBe(false);
    expect(page.url()).toContain("width=base");
    await page.goto("about:blank");
    await page.goto(`${url}${PAGE}#width=base&view=leaks`);
    await expect(page.getByRole("tab", { name: "Leaks" }).getAttribute("aria-selected")).resolves.toBe("true");
    await expect(page.getByRole("radio", { name: /base bytes/ }).isChecked()).resolves.toBe(true);
    expect((await names()).length).toBeGreaterThan(2);
  });

  test("the view selector switches views", async () => {
    await open(PAGE);
    for (const view of ["Leaks", "Temporary allocations", "Inverted", "Peak"]) {
      await page.getByRole("tab", { name: view, exact: true }).click();
      await expect(page.getByRole("tab", { name: view, exact: true }).getAttribute("aria-selected")).resolves.toBe("true");
      expect((await names()).length, view).toBeGreaterThan(2);
    }
  });
});

describe("call sites in every view", () => {
  /** The "Grew most" / "Shrank most" rows as "function change". */
  async function sites(title: string): Promise<string[]> {
    const table = page.getByRole("table", { name: title });
    await table.waitFor();
    return table.locator("tbody tr").evaluateAll((trs) => trs.map((tr) => `${tr.querySelector("code")?.textContent ?? ""} ${tr.lastElementChild?.textContent ?? ""}`));
  }

  test("the inverted view lists the allocating frames, as the peak view does", async () => {
    await open(`${PAGE}#view=peak`);
    const peakGrew = await sites("Grew most");
    const peakShrank = await sites("Shrank most");
    await page.getByRole("tab", { name: "Inverted", exact: true }).click();
    await expect.poll(() => page.getByRole("tab", { name: "Inverted", exact: true }).getAttribute("aria-selected")).toBe("true");
    await page.getByText("Call sites are the frames that allocate: each one's own bytes (peak bytes)").waitFor();
    const grew = await sites("Grew most");
    const shrank = await sites("Shrank most");
    expect(grew).toEqual(expect.arrayContaining(["iterencode +22.0 MB", "dumps +14.7 MB"]));
    expect(shrank).toEqual(expect.arrayContaining(["parse_rows -16.3 MB"]));
    expect([...grew, ...shrank].some((s) => s.startsWith("_run_tracker"))).toBe(false);
    expect([grew, shrank]).toEqual([peakGrew, peakShrank]);
  });

  test("the leaks view has its own call sites", async () => {
    await open(`${PAGE}#view=leaks`);
    await page.getByText("Call sites are the frames that allocate: each one's own bytes (leaks bytes)").waitFor();
    expect((await sites("Grew most")).length).toBeGreaterThan(0);
  });
});

describe("picker", () => {
  test("compares two chosen runs, and the URL restores the choice", async () => {
    await open("/compare/");
    await page.getByRole("combobox", { name: "Benchmark" }).selectOption("import_orders");
    const baseSelect = page.getByRole("combobox", { name: "Base run" });
    await expect.poll(() => baseSelect.locator("option").count()).toBeGreaterThan(2);
    await baseSelect.selectOption(idOf("import_orders--a55ec1e"));
    await page.getByRole("combobox", { name: "Head run" }).selectOption(idOf("import_orders--80213f9"));
    const colours = await fills();
    expect(colours.some((c) => c.startsWith("hsl(4,"))).toBe(true);
    const shared = page.url();
    expect(shared).toContain(`base=${idOf("import_orders--a55ec1e")}`);
    expect(shared).toContain(`head=${idOf("import_orders--80213f9")}`);
    await page.goto("about:blank");
    await page.goto(shared);
    await expect.poll(() => page.getByRole("combobox", { name: "Head run" }).inputValue()).toBe(idOf("import_orders--80213f9"));
    await expect(page.getByRole("table", { name: "Figures side by side" }).innerText()).resolves.toContain("+40.5%");
    expect((await names()).length).toBeGreaterThan(2);
  });
});
