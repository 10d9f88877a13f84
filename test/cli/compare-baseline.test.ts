/**
 * `heaptrail compare HEAD` and `--baseline` on the demo history (captures/): render_report grew
 * 27.5 → 31.9 MB (+16%) over seven commits of main with no step above 10%: against its base it is
 * no regression, against the baseline window it is drift, worded so and gated with --fail-above.
 */
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { main } from "../../src/cli/main.ts";
import { buildContent } from "../../src/content/ingest.ts";

const CAPTURES = join(import.meta.dirname, "../../captures");
const root = mkdtempSync(join(tmpdir(), "heaptrail-baseline-test-"));
const content = join(root, "content");

beforeAll(async () => {
  const captures = join(root, "captures");
  mkdirSync(captures);
  // render_report's whole demo history: main, the pull request, the --aggregate run.
  for (const f of readdirSync(CAPTURES)) if (/^render_report--.*\.(bin|meta\.json)$/.test(f)) copyFileSync(join(CAPTURES, f), join(captures, f));
  const result = await buildContent({ capturesDir: captures, contentDir: content, env: {}, cwd: captures });
  expect(result.status).toBe(0);
}, 120_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function run(...argv: string[]): Promise<{ status: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const sink = (f: (s: string) => void) => ({ write: (s: string) => (f(String(s)), true) }) as never;
  const status = await main(["compare", ...argv], sink((s) => (out += s)), sink((s) => (err += s)));
  return { status, out, err };
}

describe("compare with the history's base and baseline", () => {
  test("HEAD alone: against its base (the previous run on main), a small step, and drift", async () => {
    const r = await run("commit:f362419", "--content", content, "--format", "text");
    expect(r.status).toBe(0);
    const line = r.out.split("\n").find((l) => l.startsWith("render_report:"))!;
    expect(line).toMatch(/^render_report: peak 31\.9 MB \+592 kB \(\+1\.9%\),.*: drift$/);
    expect(r.out).toContain("drift: peak +4.40 MB (+16.0%) over the lowest of the last 6 runs on main (b1c9675), with no single step over the rule.");
  });

  test("--baseline: +16% over the baseline, as drift, and --fail-above fails on it", async () => {
    const md = await run("commit:f362419", "--baseline", "--content", content);
    expect(md.status).toBe(0);
    expect(md.out).toContain("b1c9675 → f362419 (baseline: the lowest of the last 6 runs on main)");
    expect(md.out).toMatch(/\| render_report +\| 31\.9 MB \| \+4\.40 MB \(\+16\.0%\) \|.*\| drift +\|/);
    expect(md.out).toContain("**Drift:** peak +4.40 MB (+16.0%) over the lowest of the last 6 runs on main (b1c9675).");
    const gate = await run("commit:f362419", "--baseline", "--fail-above", "10", "--content", content, "--format", "text");
    expect(gate.status).toBe(1);
    expect(gate.out).toContain("drift: the check fails");
    // A wider threshold, or a window of the last 2 runs (8f1c376 and 8281046, 30.8 MB): no drift.
    expect((await run("commit:f362419", "--baseline", "--fail-above", "10", "--drift-above", "20", "--content", content)).status).toBe(0);
    const short = await run("commit:f362419", "--baseline", "--drift-window", "2", "--content", content, "--format", "text");
    expect(short.out).toMatch(/^render_report: peak 31\.9 MB \+1\.07 MB \(\+3\.5%\),.*: larger$/m);
  });

  test("the pull request's runs: against main's run before them", async () => {
    const r = await run("commit:c021d38", "--content", content, "--format", "json");
    const report = JSON.parse(r.out) as { comparisons: Array<{ series: string; base: { commit: string }; baseKind: string }> };
    const rr = report.comparisons.find((c) => c.series === "render_report")!;
    expect([rr.base.commit.slice(0, 7), rr.baseKind]).toEqual(["f362419", "pr"]);
  });

  test("usage: --baseline takes HEAD only; a window is a whole number", async () => {
    expect((await run("commit:8281046", "commit:f362419", "--baseline", "--content", content)).status).toBe(2);
    expect((await run("commit:f362419", "--drift-window", "0", "--content", content)).status).toBe(2);
  });
});
