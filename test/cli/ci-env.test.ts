import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ciContext, pagesLocation } from "../../src/cli/ci-env.ts";

describe("GitHub Actions environment", () => {
  it("outside Actions: local, nothing known", () => {
    expect(ciContext({ PATH: "/bin" })).toMatchObject({ event: "local", sha: null, branch: null, siteUrl: null });
  });

  it("push: branch from GITHUB_REF_NAME, Pages address from the repository", () => {
    const c = ciContext({ GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "push", GITHUB_SHA: "a".repeat(40), GITHUB_REF_NAME: "main", GITHUB_REPOSITORY: "Acme/etl" });
    expect(c).toMatchObject({ event: "push", branch: "main", baseBranch: null, prNumber: null, siteUrl: "https://acme.github.io/etl/", basePath: "/etl/" });
  });

  it("pull_request: head and base branch, the number from the event file", () => {
    const dir = mkdtempSync(join(tmpdir(), "heaptrail-event-"));
    const path = join(dir, "event.json");
    writeFileSync(path, JSON.stringify({ number: 42, pull_request: { number: 42 } }));
    const c = ciContext({ GITHUB_ACTIONS: "true", GITHUB_EVENT_NAME: "pull_request", GITHUB_EVENT_PATH: path, GITHUB_HEAD_REF: "feature/x", GITHUB_BASE_REF: "main", GITHUB_REF_NAME: "42/merge", GITHUB_REPOSITORY: "acme/etl" });
    expect(c).toMatchObject({ event: "pull_request", branch: "feature/x", baseBranch: "main", prNumber: 42 });
  });

  it("a user or organisation site is served at the root", () => {
    expect(pagesLocation("acme/acme.github.io")).toEqual({ siteUrl: "https://acme.github.io/", basePath: "/" });
  });
});
