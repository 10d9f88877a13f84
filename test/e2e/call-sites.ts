/**
 * Stand-in top call sites for the e2e fixture until ingest records them (schema v3 writes
 * `topCallSites: []`): each location's own bytes in the entry's peak tree, largest first. Only
 * entries whose list is empty are filled, so once ingest fills them this changes nothing.
 */
import { writeFileSync } from "node:fs";
import { NodeFlag, type ColumnarTree } from "../../src/content/shapes.ts";
import type { CallSite, RunEntry } from "../../src/content/schema.ts";
import { entryIds, entryPath, readDataFile, readEntryText } from "../../src/content/ledger.ts";

export function topCallSitesFromTree(tree: ColumnarTree, top = 10): CallSite[] {
  const n = tree.parent.length;
  const self = Float64Array.from(tree.valueBytes);
  const selfCount = Float64Array.from(tree.nAllocations);
  for (let i = 1; i < n; i++) {
    self[tree.parent[i]!]! -= tree.valueBytes[i]!;
    selfCount[tree.parent[i]!]! -= tree.nAllocations[i]!;
  }
  const sites = new Map<string, CallSite>();
  for (let i = 1; i < n; i++) {
    if (self[i]! <= 0 || tree.flags[i]! & NodeFlag.OTHER) continue;
    const fn = tree.strings[tree.function[i]!] ?? "";
    const filename = tree.strings[tree.filename[i]!] ?? "";
    const key = `${fn}\u0000${filename}\u0000${tree.lineno[i]}`;
    const s = sites.get(key) ?? { function: fn, filename, lineno: tree.lineno[i]!, sizeBytes: 0, nAllocations: 0 };
    s.sizeBytes += self[i]!;
    s.nAllocations += Math.max(0, selfCount[i]!);
    sites.set(key, s);
  }
  return [...sites.values()].sort((a, b) => b.sizeBytes - a.sizeBytes).slice(0, top);
}

/** Fills empty `topCallSites` of the content folder's ok entries; returns how many it filled. */
export function fillTopCallSites(contentDir: string): number {
  let filled = 0;
  for (const id of entryIds(contentDir)) {
    const entry = JSON.parse(readEntryText(contentDir, id)) as RunEntry;
    if (entry.status !== "ok" || entry.topCallSites.length > 0 || !entry.data.peak) continue;
    const tree = readDataFile(contentDir, entry.data.peak) as ColumnarTree;
    entry.topCallSites = topCallSitesFromTree(tree);
    writeFileSync(entryPath(contentDir, id), JSON.stringify(entry));
    filled++;
  }
  return filled;
}

/** Simulates retention on one run (benchmark + commit prefix): its data refs dropped, as ingest's pruning leaves them. */
export function pruneRun(contentDir: string, benchmark: string, commitPrefix: string): string {
  for (const id of entryIds(contentDir)) {
    const entry = JSON.parse(readEntryText(contentDir, id)) as RunEntry;
    if (entry.status !== "ok" || entry.benchmark !== benchmark || !entry.commit?.startsWith(commitPrefix) || entry.header.nativeTraces || entry.header.aggregated) continue;
    entry.dataPruned = true;
    for (const key of Object.keys(entry.data) as Array<keyof typeof entry.data>) entry.data[key] = null;
    writeFileSync(entryPath(contentDir, id), JSON.stringify(entry));
    return entry.id;
  }
  throw new Error(`no run of ${benchmark} at ${commitPrefix}`);
}
