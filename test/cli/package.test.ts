// The package installs anywhere. `npm pack` (prepack compiles the command line
// to lib/), `npm install <tarball>` into a fresh project outside the checkout, then the
// README's commands there. The checkout is packed from a copy, so its own tree never changes.
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const REPO = join(import.meta.dirname, "..", "..");
const RUN = "import_orders--5e38e97";
const root = mkdtempSync(join(tmpdir(), "heaptrail-package-"));
afterAll(() => rmSync(root, { recursive: true, force: true }), 120_000); // a whole node_modules
// This test's Node first on PATH, for npm and for the installed command's `#!/usr/bin/env node`.
const env = { ...process.env, PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`, npm_config_update_notifier: "false" };

function run(cwd: string, command: string, args: string[]) {
  const result = spawnSync(command, args, { cwd, env, encoding: "utf8", shell: process.platform === "win32" });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm pack, npm install <tarball>, npx heaptrail", { timeout: 600_000 }, () => {
  const project = join(root, "project");
  const tarballs = join(root, "tarballs");

  it("packs and installs into a project outside the checkout", () => {
    // A copy of what `npm pack` reads, with the checkout's node_modules for tsc.
    const copy = join(root, "checkout");
    mkdirSync(copy);
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8")) as { files: string[] };
    for (const entry of [...pkg.files, "package.json", "tsconfig.build.json"]) {
      if (existsSync(join(REPO, entry))) cpSync(join(REPO, entry), join(copy, entry), { recursive: true, filter: (p) => !p.endsWith("/lib") });
    }
    symlinkSync(join(REPO, "node_modules"), join(copy, "node_modules"), "junction");
    mkdirSync(tarballs);
    const packed = run(copy, "npm", ["pack", "--pack-destination", tarballs, "--loglevel=error"]);
    expect(packed.stderr).toBe("");
    expect(packed.code).toBe(0);
    const [tarball] = readdirSync(tarballs);
    expect(tarball).toMatch(/^heaptrail-.*\.tgz$/);
    const listing = execFileSync("tar", ["-tzf", join(tarballs, tarball!)], { encoding: "utf8" });
    expect(listing).toContain("package/lib/cli/main.js");
    expect(listing).toContain("package/lib/reader/decode-worker.js");
    expect(listing).toContain("package/src/pages/index.astro");
    expect(listing).not.toMatch(/package\/test\//);

    mkdirSync(join(project, "caps"), { recursive: true });
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "someone-elses-project", private: true }));
    for (const ext of [".bin", ".meta.json"]) copyFileSync(join(REPO, "captures", `${RUN}${ext}`), join(project, "caps", `${RUN}${ext}`));
    const installed = run(project, "npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", join(tarballs, tarball!)]);
    expect(installed.code).toBe(0);
    expect(existsSync(join(project, "node_modules", "heaptrail", "lib", "cli", "main.js"))).toBe(true);
  });

  it("runs stats, flamegraph and tree there", () => {
    const stats = run(project, "npx", ["heaptrail", "stats", "--json", `caps/${RUN}.bin`]);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout).metadata.peak_memory).toBeGreaterThan(0);
    const folded = run(project, "npx", ["heaptrail", "flamegraph", `caps/${RUN}.bin`]);
    expect(folded.code).toBe(0);
    expect(folded.stdout).toMatch(/^\S.* \(\S+:\d+\).* \d+$/m);
    const tree = run(project, "npx", ["heaptrail", "tree", "-b", "5", `caps/${RUN}.bin`]);
    expect(tree.code).toBe(0);
    expect(tree.stdout).toMatch(/^📂 .* <ROOT>/);
  });

  it("builds a site there, writing only the content folder and the site", () => {
    const built = run(project, "npx", ["heaptrail", "build", "--captures", "caps", "--out", "public/site"]);
    expect(built.stderr).not.toMatch(/Error|\n\s+at /);
    expect(built.code).toBe(0);
    expect(existsSync(join(project, "public", "site", "index.html"))).toBe(true);
    // The run's id comes from its capture and metadata: the ledger's one entry names it.
    const [entry] = readdirSync(join(project, "content", "runs"));
    expect(readFileSync(join(project, "public", "site", "runs", entry!.replace(/\.json$/, ""), "index.html"), "utf8")).toContain("import_orders");
    expect(readdirSync(project).sort()).toEqual(["caps", "content", "node_modules", "package-lock.json", "package.json", "public"]);
    expect(existsSync(join(project, "node_modules", "heaptrail", ".astro"))).toBe(false);
  });
});
