#!/usr/bin/env node
// The `heaptrail` command, for Node >= 22.12 (written so that older Nodes can run this file and
// say so). An installed package runs the JavaScript compiled into lib/ when packed (Node refuses
// type stripping under node_modules); a checkout runs the TypeScript sources through Node's type
// stripping (default from 22.18; 22.12-22.17 need the flag, so we re-run ourselves with it).
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const MINIMUM = [22, 12];
const self = fileURLToPath(import.meta.url);
const root = dirname(dirname(self));
const args = process.argv.slice(2);

function recentEnough(version) {
  const [major, minor] = version.split(".").map(Number);
  return major > MINIMUM[0] || (major === MINIMUM[0] && minor >= MINIMUM[1]);
}

function runWith(node, nodeArgs) {
  const result = spawnSync(node, [...nodeArgs, self, ...args], { stdio: "inherit", env: { ...process.env, HEAPTRAIL_REEXEC: "1" } });
  if (result.error) {
    console.error(`heaptrail: cannot run ${node}: ${result.error.message}`);
    process.exit(2);
  }
  process.exit(result.status ?? 1);
}

if (!recentEnough(process.versions.node)) {
  // The README's set-up (scripts/run.sh) puts Node 22 into .tools/ when the system's is older:
  // use it, so `npx heaptrail` works in the same shell after the set-up.
  const tools = join(root, ".tools", "node", "node_modules");
  const candidates = process.platform === "win32"
    ? [join(tools, "node", "bin", "node.exe"), join(tools, ".bin", "node.exe")]
    : [join(tools, ".bin", "node"), join(tools, "node", "bin", "node")];
  const node = candidates.find((p) => existsSync(p));
  if (node !== undefined && process.env.HEAPTRAIL_REEXEC !== "1") runWith(node, []);
  console.error(
    `heaptrail needs Node >= ${MINIMUM.join(".")} (this is ${process.versions.node}). ` +
      "Install a newer Node, or run `bash scripts/run.sh build` in a checkout: it puts one into .tools/.",
  );
  process.exit(2);
}

const compiled = join(root, "lib", "cli", "main.js");
let entry;
if (existsSync(compiled)) {
  entry = pathToFileURL(compiled).href;
} else {
  if (!process.features.typescript) runWith(process.execPath, ["--experimental-strip-types", "--no-warnings"]);
  entry = pathToFileURL(join(root, "src", "cli", "main.ts")).href;
}
const { main } = await import(entry);
process.exitCode = await main(args);
