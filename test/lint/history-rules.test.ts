// The history rules live in one module (src/content/history.ts) and GitHub Actions' environment
// has one reader (src/content/ci-env.ts): no page, command, component or comment computes a base,
// a default branch, a series name or a settings difference of its own.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..", "..", "src");
const MODEL = "content/history.ts";
const CI_ENV = "content/ci-env.ts";

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const path = join(dir, f);
    return statSync(path).isDirectory() ? files(path) : /\.(ts|tsx|astro|mjs)$/.test(f) ? [path] : [];
  });
}

const sources = files(SRC).map((path) => ({ name: relative(SRC, path).replace(/\\/g, "/"), text: readFileSync(path, "utf8") }));

/** The files outside `except` whose text matches `re`, with the first match. */
function offenders(re: RegExp, except: string[]): string[] {
  return sources.filter((s) => !except.includes(s.name) && re.test(s.text)).map((s) => `${s.name}: ${re.exec(s.text)![0]}`);
}

describe("one history model", () => {
  it("reads the sources it checks", () => {
    expect(sources.some((s) => s.name === MODEL)).toBe(true);
    expect(sources.some((s) => s.name === "pages/commits/[sha].astro")).toBe(true);
  });

  it("no base-run, default-branch or settings rule outside the model", () => {
    const rules = /\bfunction\s+(baseRunFor|comparePairs|defaultBranch|chooseDefaultBranch|trendName|seriesOf|seriesName|modeOf|settingsChanges|settingsOf|settingsDifferences|compareToBase|branchSteps|newestOkAtOrBefore)\b/;
    expect(offenders(rules, [MODEL])).toEqual([]);
  });

  it("no default-branch guess (\"master\", origin's HEAD) and no mode suffix written outside the model", () => {
    expect(offenders(/["'`]master["'`]|refs\/remotes\/origin\/HEAD/, [MODEL])).toEqual([]);
    expect(offenders(/aggregated\s*\?\s*["'`][ (]*aggregated/, [MODEL])).toEqual([]);
    expect(offenders(/\.(pythonAllocator|tracePythonAllocators)\s*!==/, [MODEL])).toEqual([]);
  });

  it("GitHub Actions' environment is read in one place", () => {
    // GITHUB_ACTIONS itself (am I in Actions?) may be asked anywhere; what the job is about may not.
    expect(offenders(/env(\.|\[["'])GITHUB_(?!ACTIONS\b)[A-Z_]+/, [CI_ENV])).toEqual([]);
  });

  it("the check sees a rule where there is one", () => {
    // A copy of the retired rule would be caught (guards the regexes themselves).
    sources.push({ name: "pages/x.astro", text: 'function baseRunFor(run) {}\nconst b = env.GITHUB_BASE_REF || "master";' });
    try {
      expect(offenders(/\bfunction\s+(baseRunFor)\b/, [MODEL])).toEqual(["pages/x.astro: function baseRunFor"]);
      expect(offenders(/env(\.|\[["'])GITHUB_(?!ACTIONS\b)[A-Z_]+/, [CI_ENV])).toEqual(["pages/x.astro: env.GITHUB_BASE_REF"]);
    } finally {
      sources.pop();
    }
  });
});
