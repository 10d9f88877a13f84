import { describe, expect, test } from "vitest";
import { benchmarkFromFileName } from "../../src/content/provenance.ts";
import { pytestMemrayTestId } from "../../src/content/pytest-memray.ts";
import { testPlace } from "../../src/content/suites.ts";
import { pytestMemrayFileName } from "../helpers/pytest-memray-name.ts";

const PREFIX = "0f3c9a4b5e6d47a8b9c0d1e2f3a4b5c6"; // pytest-memray's default: uuid4().hex
const idOf = (nodeId: string, prefix = PREFIX) => benchmarkFromFileName(pytestMemrayFileName(prefix, nodeId));

describe("pytest-memray file names back to test ids", () => {
  test.each([
    "tests/test_orders.py::test_import",
    "test_x.py::TestReport::test_render",
    "tests/unit/test_a.py::TestA::TestNested::test_b",
    "tests/test_x.py::test_y[10-rows]",
    "tests/test_x.py::test_y[a0]",
    "tests/test_x.py::test_y[]",
    "tests/test_x.py::test_y[-1]",
    "tests/test_x.py::test_y[a--b]",
    "tests/test_x.py::test_y[x.py-1]",
    // pytest's default escaping of non-ASCII parameter ids, and its opt-out (raw unicode)
    "tests/test_x.py::test_y[\\xe9t\\xe9]",
    "tests/test_x.py::test_y[été-中文]",
    // non-ASCII identifiers and folders
    "tests/données/test_é.py::TestÉ::test_ü",
  ])("%s round-trips", (nodeId) => {
    expect(idOf(nodeId)).toBe(nodeId);
  });

  test("a `/` or `::` inside parameters stays `-` (pytest-memray writes one file for both)", () => {
    expect(pytestMemrayFileName(PREFIX, "tests/test_x.py::test_y[a/b]")).toBe(pytestMemrayFileName(PREFIX, "tests/test_x.py::test_y[a-b]"));
    expect(idOf("tests/test_x.py::test_y[a/b]")).toBe("tests/test_x.py::test_y[a-b]");
    expect(idOf("tests/test_x.py::test_y[a::b]")).toBe("tests/test_x.py::test_y[a-b]");
    expect(idOf("tests/test_x.py::TestA::test_y[a::b/c]")).toBe("tests/test_x.py::TestA::test_y[a-b-c]");
  });

  test("any one-token prefix (--memray-bin-prefix)", () => {
    expect(idOf("tests/test_a.py::test_b", "nightly")).toBe("tests/test_a.py::test_b");
    expect(idOf("tests/test_a.py::test_b", "run_42")).toBe("tests/test_a.py::test_b");
  });

  test("a name cut at 250 bytes keeps what survived, then … and its digest", () => {
    const long = `tests/test_x.py::test_y[${"é".repeat(200)}]`;
    const other = `tests/test_x.py::test_y[${"é".repeat(200)}x]`;
    const name = pytestMemrayFileName(PREFIX, long);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(250);
    const id = benchmarkFromFileName(name);
    expect(id).toMatch(/^tests\/test_x\.py::test_y\[é+…[0-9a-f]{16}$/);
    expect(benchmarkFromFileName(pytestMemrayFileName(PREFIX, other))).not.toBe(id);
    // Still grouped with its file and function.
    expect(testPlace(id)).toMatchObject({ file: "tests/test_x.py", test: "tests/test_x.py::test_y" });
    const longName = `tests/test_x.py::test_${"a".repeat(300)}`;
    expect(benchmarkFromFileName(pytestMemrayFileName(PREFIX, longName))).toMatch(/^tests\/test_x\.py::test_a+…[0-9a-f]{16}$/);
  });

  test("names that are not pytest-memray's", () => {
    expect(pytestMemrayTestId("import_orders--5e38e97")).toBeNull();
    expect(pytestMemrayTestId("bench--x.py-test_y")).toBeNull();
    expect(pytestMemrayTestId("p-tests--test_x.py-test_y")).toBeNull();
    expect(pytestMemrayTestId("p-test_x.py-not-an id")).toBeNull();
    expect(pytestMemrayTestId("p-test_x.py-test_y[open")).toBeNull();
    expect(pytestMemrayTestId("test_x.py-test_y")).toBeNull();
    expect(benchmarkFromFileName("render_report--f362419--aggregate.bin")).toBe("render_report");
  });
});

describe("testPlace: suite, file, group, test function", () => {
  test("a test id: suite is the top folder, file the module, group the file", () => {
    expect(testPlace("tests/test_x.py::test_y")).toEqual({ suite: "tests", file: "tests/test_x.py", group: "tests/test_x.py", test: "tests/test_x.py::test_y", params: null });
    expect(testPlace("tests/unit/test_a.py::TestA::test_b[1-2]")).toEqual({
      suite: "tests",
      file: "tests/unit/test_a.py",
      group: "tests/unit/test_a.py",
      test: "tests/unit/test_a.py::TestA::test_b",
      params: "[1-2]",
    });
    expect(testPlace("test_root.py::test_z").suite).toBe(".");
  });

  test("parametrized tests share their test function", () => {
    expect(testPlace("tests/test_x.py::test_y[a]").test).toBe(testPlace("tests/test_x.py::test_y[b]").test);
    expect(testPlace("tests/test_x.py::test_y[a::b]").params).toBe("[a::b]");
  });

  test("--meta group=… wins; other benchmarks have no group unless named", () => {
    expect(testPlace("tests/test_x.py::test_y", "slow").group).toBe("slow");
    expect(testPlace("import_orders")).toEqual({ suite: null, file: null, group: null, test: "import_orders", params: null });
    expect(testPlace("import_orders", "etl").group).toBe("etl");
  });
});
