// Symbolized native frames keep their image and offset on the way to the page (the flame
// graph's tooltip shows module and offset), and Python-only trees carry no extra column.
import { expect, test } from "vitest";
import type { FlameNode } from "../../src/analysis/model.ts";
import { decodeTree, encodeTree } from "../../src/content/columnar.ts";
import { flameNode } from "../helpers/entries.ts";

const node = (fn: string, extra: Partial<FlameNode> = {}, children: FlameNode[] = []): FlameNode => flameNode(fn, { filename: "x.c", valueBytes: 10, ...extra }, children);

test("native frames keep module+offset through the columns", () => {
  const root = node("<root>", {}, [node("malloc", { module: "/usr/lib/libc.so.6", offset: 0x9a0c0 }), node("py_func", { filename: "a.py" })]);
  const tree = decodeTree(encodeTree(root, { minFrameFraction: 0 }));
  const malloc = tree.function.indexOf("malloc");
  expect(tree.native.get(malloc)).toBe("/usr/lib/libc.so.6+0x9a0c0");
  expect(tree.native.has(tree.function.indexOf("py_func"))).toBe(false);
  expect(encodeTree(node("<root>", {}, [node("f")]), { minFrameFraction: 0 }).native).toBeUndefined();
});
