#!/usr/bin/env node
// The `heaptrail` command. Sources are TypeScript run by Node's own type stripping
// (Node >= 22.18 by default; 22.12-22.17 need the flag, so we re-run ourselves with it).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`heaptrail needs Node >= 22.12 (this is ${process.versions.node}). See the README's set-up commands.`);
  process.exit(2);
}
if (!process.features.typescript) {
  const self = fileURLToPath(import.meta.url);
  const result = spawnSync(process.execPath, ["--experimental-strip-types", "--no-warnings", self, ...process.argv.slice(2)], { stdio: "inherit" });
  process.exit(result.status ?? 1);
}
const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv.slice(2));
