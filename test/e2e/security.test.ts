/** A capture whose every string is hostile: nothing runs, everything shows as literal text. */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, inject, test } from "vitest";
import { HOSTILE } from "../helpers/capture-writer.ts";
import { frames, launch, watchedPage } from "./browser.ts";

const url = inject("siteUrl");
const HOSTILE_RUN = inject("runPaths").hostile!;
let browser: Browser;
let page: Page;
let errors: string[];
const dialogs: string[] = [];

beforeAll(async () => {
  browser = await launch();
  ({ page, errors } = await watchedPage(browser));
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
});
afterAll(async () => {
  await browser?.close();
});

async function pwned(p: Page): Promise<unknown> {
  return p.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned);
}

test("hostile strings render as text in every view", async () => {
  await page.goto(`${url}${HOSTILE_RUN}`);
  await expect(page.locator("dl.meta.capture").innerText()).resolves.toContain(HOSTILE.commandLine);
  await frames(page).first().waitFor();
  const names = await frames(page).evaluateAll((gs) => gs.map((g) => g.getAttribute("data-frame") ?? ""));
  expect(names.some((n) => n.includes(HOSTILE.function))).toBe(true);
  const hostileFrame = frames(page).filter({ hasText: "onerror" }).first();
  // Labels are set as text once d3's transition ends.
  await expect.poll(() => hostileFrame.textContent()).toContain(HOSTILE.function);
  await hostileFrame.hover();
  const tip = await page.getByRole("tooltip").innerText();
  expect(tip).toContain(HOSTILE.function);
  expect(tip).toContain(HOSTILE.filename);
  // Thread names in the thread menu.
  const options = await page.getByRole("combobox", { name: "Thread" }).locator("option").allInnerTexts();
  expect(options.some((o) => o.includes(HOSTILE.thread))).toBe(true);
  await page.getByRole("searchbox", { name: "Search" }).fill("<img");
  await page.getByRole("status").filter({ hasText: "Matched" }).waitFor();
  for (const view of ["Leaks", "Inverted", "Temporal"]) {
    await page.getByRole("tab", { name: view, exact: true }).click();
    await frames(page).first().waitFor();
  }
  await page.getByRole("tab", { name: "Tree" }).click();
  await page.getByRole("tree").focus();
  await page.keyboard.press("e");
  await expect(page.getByRole("tree").innerText()).resolves.toContain(HOSTILE.function);
  await page.getByRole("tab", { name: "Stats" }).click();
  await page.getByRole("heading", { name: "Top locations by size" }).waitFor();
  await page.goto(`${url}/`);
  await expect(page.locator("main").innerText()).resolves.toContain("hostile");
  // The call-site trend's legend and tooltip: the names are text.
  await page.goto(`${url}/benchmarks/hostile/`);
  const callSites = page.getByRole("img", { name: /^Call sites at the peak/ }).locator("canvas").first();
  await callSites.waitFor();
  await callSites.hover();
  await expect.poll(() => page.locator(".chart-tip").first().textContent()).toContain(HOSTILE.function);
  expect(await pwned(page)).toBeUndefined();
  expect(dialogs).toEqual([]);
  expect(errors).toEqual([]);
  // No capture string became markup anywhere in the built HTML either.
  const html = await (await fetch(`${url}${HOSTILE_RUN}`)).text();
  expect(html).not.toContain("<script>window.__pwned");
  expect(html).not.toContain("<img src=x");
  expect(await pwned(page)).toBeUndefined();
});
