// `heaptrail build` as a user runs it, in a child process from another working directory: it
// works from anywhere and writes only under --content and --out; concurrent builds serialise,
// "unchanged" checks the data files, and a kill during the Astro step leaves the previous site whole.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, unlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "..", "..");
const BIN = join(REPO, "bin", "heaptrail.mjs");
const RUN = "examples--threads";
// The site goes outside the working directory (Astro would put its server bundle in the cwd).
const top = mkdtempSync(join(tmpdir(), "heaptrail-build-"));
const proj = join(top, "work");
afterAll(() => rmSync(top, { recursive: true, force: true }), 60_000);

mkdirSync(join(proj, "caps"), { recursive: true });
for (const ext of [".bin", ".meta.json"]) copyFileSync(join(REPO, "captures", `${RUN}${ext}`), join(proj, "caps", `${RUN}${ext}`));

const ARGS = ["build", "--captures", "caps", "--out", "../site"];

function build(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...ARGS], { cwd: proj });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** The run's id (from its capture and metadata): the ledger's one entry names it. */
function runId(): string {
  return readdirSync(join(proj, "content", "runs")).find((f) => f.endsWith(".json"))!.replace(/\.json$/, "");
}

function sitePages(): string[] {
  return ["index.html", `runs/${runId()}/index.html`].filter((p) => existsSync(join(top, "site", p)));
}

/** The run's data files as its entry names them (paths under the content folder's public/), by kind. */
function dataRefs(): Record<string, string> {
  const entry = JSON.parse(readFileSync(join(proj, "content", "runs", `${runId()}.json`), "utf8")) as { data: Record<string, { path: string } | null> };
  return Object.fromEntries(Object.entries(entry.data).flatMap(([k, ref]) => (ref ? [[k, ref.path]] : [])));
}

describe("heaptrail build from another working directory", { timeout: 300_000 }, () => {
  it("builds, writing only under --content and --out (no .astro/ in the cwd or the checkout)", async () => {
    const repoBefore = readdirSync(REPO).sort();
    const dotAstro = existsSync(join(REPO, ".astro")) ? statSync(join(REPO, ".astro")).mtimeMs : null;
    const { code, stderr } = await build();
    expect(stderr).not.toMatch(/Error|at /);
    expect(code).toBe(0);
    expect(readdirSync(proj).sort()).toEqual(["caps", "content"]);
    expect(readdirSync(top).sort()).toEqual(["site", "work"]);
    expect(readdirSync(REPO).sort()).toEqual(repoBefore);
    expect(existsSync(join(REPO, ".astro")) ? statSync(join(REPO, ".astro")).mtimeMs : null).toBe(dotAstro);
    expect(sitePages()).toEqual(["index.html", `runs/${runId()}/index.html`]);
    expect(readdirSync(join(top, "site"))).not.toContain(".prerender");
    expect(existsSync(join(proj, "content", ".lock"))).toBe(false);
  });

  it("a kill during the Astro step leaves the previous site whole; the next build recovers", async () => {
    const child = spawn(process.execPath, [BIN, ...ARGS], { cwd: proj, stdio: "ignore" });
    // Inside the Astro step: its server bundle (under the content folder) or the staged site exists.
    const started = [join(proj, "content", ".cache", "root", ".astro", ".prerender"), join(top, `.site.building-${child.pid}`)];
    const deadline = Date.now() + 240_000;
    while (!started.some((p) => existsSync(p)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    child.kill("SIGKILL");
    expect(started.some((p) => existsSync(p))).toBe(true);
    await new Promise((r) => child.on("close", r));
    expect(sitePages()).toEqual(["index.html", `runs/${runId()}/index.html`]);
    expect(readdirSync(join(top, "site"))).not.toContain(".prerender");
    expect(existsSync(join(proj, "content", ".lock"))).toBe(true); // left by the killed build
  });

  it("after the kill: two concurrent builds serialise (the dead lock taken over), a run missing a data file is rebuilt", async () => {
    unlinkSync(join(proj, "content", "public", dataRefs().peak!));
    const [a, b] = await Promise.all([build(), build()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(`${a.stderr}${b.stderr}`).toMatch(/waiting for the build that holds \S+\.lock/);
    expect(`${a.stderr}${b.stderr}`).toMatch(new RegExp(`${RUN}\\.bin: analysed in`));
    // Every data file the entry names (content-addressed, shared between identical runs) is
    // back in the ledger and published byte for byte in the site.
    const refs = Object.values(dataRefs());
    expect(refs.length).toBeGreaterThan(0);
    expect(dataRefs().peak).toMatch(/peak\.json$/);
    for (const ref of refs) expect(readFileSync(join(top, "site", ref))).toEqual(readFileSync(join(proj, "content", "public", ref)));
    expect(readdirSync(proj).sort()).toEqual(["caps", "content"]);
    expect(readdirSync(top).sort()).toEqual(["site", "work"]); // the killed build's staging folder is gone
    expect(sitePages()).toEqual(["index.html", `runs/${runId()}/index.html`]);
    expect(existsSync(join(proj, "content", ".lock"))).toBe(false);
  });

});

