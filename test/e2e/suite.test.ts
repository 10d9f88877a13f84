/** The fixture site's pytest-memray suite (global-setup.ts's SUITE): groups on the index, a group page, the overview, budgets. */
import type { Page } from "playwright-core";
import { describe, expect, inject, test } from "vitest";
import { siteSession } from "./browser.ts";

const url = inject("siteUrl");
const session = siteSession(url);
let page: Page;

const groupsTable = () => page.locator("table.suite-groups-table");
const groupBody = (name: string) => groupsTable().locator(`tbody[data-group="${name}"]`);

describe("index: test groups", () => {
  test("groups are collapsed with their counts and flags, and expand in place", async () => {
    page = await session.open("/");
    await expect(page.getByRole("heading", { name: "Tests" }).count()).resolves.toBe(1);
    await expect(page.locator("section.suite-groups .suite-summary").innerText()).resolves.toMatch(/^18 tests in 3 groups; 3 regressed, 1 over budget\./);
    // Flagged groups first; no test row before expanding; the flat table holds no test.
    const names = await groupsTable().locator("tbody[data-group]").evaluateAll((bs) => bs.map((b) => (b as HTMLElement).dataset.group));
    expect(names).toEqual(["tests/pkg0/test_mod00.py", "tests/pkg2/test_mod02.py", "tests/pkg1/test_mod01.py"]);
    await expect(groupBody("tests/pkg2/test_mod02.py").locator("tr.group-row").innerText()).resolves.toMatch(/6\s.*3 regressed/s);
    await expect(groupBody("tests/pkg0/test_mod00.py").locator("tr.group-row").innerText()).resolves.toContain("1 over budget");
    await expect(page.locator("tr.test-row").count()).resolves.toBe(0);
    // The section's HTML names groups, not tests: tests come from the groups' JSON.
    const html = await (await fetch(`${url}/`)).text();
    const section = html.slice(html.indexOf('<section class="suite-groups"'), html.indexOf("</section>"));
    expect(section).toContain("tests/pkg1/test_mod01.py");
    expect(section).not.toContain("test_case0");
    await expect(page.locator("table.benchmarks").getByText("test_mod00.py").count()).resolves.toBe(0);

    await groupBody("tests/pkg2/test_mod02.py").getByRole("button", { name: "Show the tests of tests/pkg2/test_mod02.py" }).click();
    const rows = groupBody("tests/pkg2/test_mod02.py").locator("tr.test-row");
    await expect.poll(() => rows.count()).toBe(6);
    await expect(rows.filter({ hasText: "test_case1[big-2]" }).innerText()).resolves.toContain("regression");
    await expect(groupBody("tests/pkg2/test_mod02.py").locator("button.expand").getAttribute("aria-expanded")).resolves.toBe("true");
    await groupBody("tests/pkg2/test_mod02.py").locator("button.expand").click();
    await expect(groupBody("tests/pkg2/test_mod02.py").locator("tr.tests").isHidden()).resolves.toBe(true);
  });

  test("a test over budget is marked", async () => {
    page = await session.open("/");
    await groupBody("tests/pkg0/test_mod00.py").locator("button.expand").click();
    const row = groupBody("tests/pkg0/test_mod00.py").locator("tr.test-row", { hasText: "test_case0 [aggregated]" });
    await expect(row.locator(".over-budget").innerText()).resolves.toBe("over budget (1.00 kB)");
    await expect(groupBody("tests/pkg0/test_mod00.py").locator(".over-budget").count()).resolves.toBe(1);
  });

  test("the filter finds tests by name across groups, opening the groups on them", async () => {
    page = await session.open("/");
    await page.getByRole("searchbox", { name: "Find tests" }).fill("case1[mid");
    await expect.poll(() => page.locator("#suite-count").innerText()).toBe("3 tests in 3 groups match");
    const shown = page.locator("tr.test-row:visible");
    await expect(shown.count()).resolves.toBe(3);
    for (const text of await shown.allInnerTexts()) expect(text).toContain("test_case1[mid-1]");
    await page.locator("#suite-filter").fill("pkg1/");
    await expect.poll(() => page.locator("#suite-count").innerText()).toBe("6 tests in 1 group match");
    await expect(groupBody("tests/pkg0/test_mod00.py").isHidden()).resolves.toBe(true);
    await page.locator("#suite-filter").fill("");
    await expect.poll(() => groupsTable().locator("tbody[data-group]:visible").count()).toBe(3);
  });
});

describe("group page", () => {
  test("lists its tests, parametrized ones together", async () => {
    page = await session.open("/");
    await groupBody("tests/pkg1/test_mod01.py").getByRole("link", { name: "tests/pkg1/test_mod01.py" }).click();
    await page.waitForURL("**/groups/**");
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("tests/pkg1/test_mod01.py");
    const rows = page.locator("table.group-tests tbody tr");
    await expect(rows.count()).resolves.toBe(6);
    const names = await rows.locator("th").allInnerTexts();
    expect(names.slice(3)).toEqual(["tests/pkg1/test_mod01.py::test_case1[big-2] [aggregated]", "↳ [mid-1]", "↳ [small]"]);
    await rows.nth(4).locator("th a").click();
    await page.waitForURL("**/benchmarks/**");
  });
});

describe("suite overview", () => {
  test("draws the histogram and the total over commits, lists what grew and the parametrized tests", async () => {
    page = await session.open("/suite/");
    const bars = page.locator("svg.suite-histogram rect.bar");
    await expect(bars.count()).resolves.toBeGreaterThan(2);
    const counts = await bars.evaluateAll((rs) => rs.reduce((n, r) => n + Number(r.getAttribute("data-count")), 0));
    expect(counts).toBe(18);
    await expect(page.locator("svg.suite-total circle").count()).resolves.toBe(2);
    const grew = page.locator("h2#grew + table tbody tr");
    await expect(grew.count()).resolves.toBe(3);
    await expect(page.locator("table.suite-families tbody tr").count()).resolves.toBe(3);
  });
});

describe("commit page at suite scale", () => {
  test("the HTML holds the first screen (over budget, regressions first), the rest loads on demand", async () => {
    const path = `/commits/${"2".repeat(40)}/`;
    // The build's first screen is 12 runs (global-setup.ts): the commit has 18.
    const html = await (await fetch(`${url}${path}`)).text();
    const body = html.slice(html.indexOf("<tbody>"), html.indexOf("</tbody>"));
    expect(body.match(/<tr/g)).toHaveLength(12);
    page = await session.open(path);
    await expect(page.locator("dl.meta").innerText()).resolves.toMatch(/18 \(3 regressions, 1 over budget\)/);
    const rows = page.locator("table.commit-runs tbody tr");
    await expect(rows.count()).resolves.toBe(12);
    await expect(rows.nth(0).innerText()).resolves.toContain("over budget");
    for (const i of [1, 2, 3]) await expect(rows.nth(i).innerText()).resolves.toContain("regression");
    const compareHref = await rows.nth(1).getByRole("link", { name: "compare" }).getAttribute("href");
    await page.getByRole("button", { name: "Show 6 more" }).click();
    await expect.poll(() => rows.count()).toBe(18);
    await expect(page.locator("#show-all-status").innerText()).resolves.toBe("18 runs");
    // The loaded rows are the page's, in the same order, with the same links.
    await expect(rows.nth(0).innerText()).resolves.toContain("over budget");
    await expect(rows.nth(1).getByRole("link", { name: "compare" }).getAttribute("href")).resolves.toBe(compareHref);
    const names = await rows.locator("th").allInnerTexts();
    expect(new Set(names).size).toBe(18);
  });
});
