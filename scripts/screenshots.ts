/**
 * Screenshots of each page type for review without building: the repository's demo captures
 * (captures/) built into a scratch site with the command line, served on 127.0.0.1 and shot in
 * Chromium at desktop (1280×800), mobile (390×844) and desktop dark, the first screen of each
 * page, into docs/screenshots/ (committed, so a reviewer can look without building: 24 PNGs,
 * about 2.5 MB) or the folder given.
 *
 *   npm run screenshots                     # → docs/screenshots/<page>-<variant>.png
 *   npm run screenshots -- /tmp/shots       # elsewhere
 *
 * CHROMIUM_PATH names the browser (default /usr/bin/chromium). Offline: nothing is fetched.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { serveStatic } from "../test/e2e/server.ts";

const ROOT = join(import.meta.dirname, "..");
const OUT = process.argv[2] ?? join(ROOT, "docs", "screenshots");
const VARIANTS = [
  { name: "desktop", width: 1280, height: 800, colorScheme: "light" as const },
  { name: "mobile", width: 390, height: 844, colorScheme: "light" as const },
  { name: "dark", width: 1280, height: 800, colorScheme: "dark" as const },
];

const scratch = mkdtempSync(join(tmpdir(), "heaptrail-shots-"));
try {
  const dist = join(scratch, "dist");
  execFileSync(process.execPath, [join(ROOT, "bin", "heaptrail.mjs"), "build", "--captures", join(ROOT, "captures"), "--content", join(scratch, "content"), "--out", dist], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  // Page paths from the built site itself: run ids are derived from the captures.
  const runs = readdirSync(join(dist, "runs")).filter((id) => id.startsWith("import_orders-")).sort();
  // The demo's regression: import_orders at 80213f9, against the run before it.
  const headId = runs.find((id) => id.includes("-80213f9")) ?? runs[0]!;
  const compare = readdirSync(join(dist, "compare"))
    .filter((d) => d.startsWith("import_orders-"))
    .flatMap((b) => readdirSync(join(dist, "compare", b)).map((h) => ({ b, h })))
    .find(({ h }) => h === headId);
  const commit = readdirSync(join(dist, "commits")).find((c) => c.startsWith("80213f9")) ?? readdirSync(join(dist, "commits"))[0];
  const run = `/runs/${headId}/`;
  const pages: Array<[string, string]> = [
    ["index", "/"],
    ["benchmark", "/benchmarks/import_orders/"],
    ["run-peak", run],
    ["run-temporal", `${run}#view=temporal`],
    ["run-tree", `${run}#view=tree`],
    ["commit", `/commits/${commit}/`],
    ["compare", compare ? `/compare/${compare.b}/${compare.h}/` : "/compare/"],
    ["picker", compare ? `/compare/#benchmark=import_orders&base=${compare.b}&head=${compare.h}&view=inverted` : "/compare/"],
  ];
  const server = await serveStatic(dist);
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
  mkdirSync(OUT, { recursive: true });
  let totalBytes = 0;
  for (const v of VARIANTS) {
    const page = await browser.newPage({ viewport: { width: v.width, height: v.height }, colorScheme: v.colorScheme });
    for (const [name, path] of pages) {
      await page.goto(`${server.url}${path}`);
      await page.waitForLoadState("networkidle");
      // Let the flame graph's and the charts' first transitions end.
      await page.waitForTimeout(600);
      const file = join(OUT, `${name}-${v.name}.png`);
      await page.screenshot({ path: file });
      totalBytes += statSync(file).size;
    }
    await page.close();
  }
  await browser.close();
  await server.close();
  console.log(`${pages.length * VARIANTS.length} screenshots, ${(totalBytes / 1e6).toFixed(2)} MB, in ${OUT}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
