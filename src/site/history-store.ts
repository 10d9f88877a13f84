/**
 * The build's one History: made from the content collection on first use and shared by every
 * page (module state lives for the whole static build), so 10,000 run pages do not each group
 * 10,000 entries or receive them as props.
 */
import { getCollection } from "astro:content";
import { buildHistory, DEFAULT_BRANCH_ENV, type History } from "./history.ts";

let cached: Promise<History> | null = null;

export function getHistory(): Promise<History> {
  cached ??= getCollection("runs").then((entries) => buildHistory(entries.map((e) => e.data), { defaultBranch: process.env[DEFAULT_BRANCH_ENV] || null }));
  return cached;
}
