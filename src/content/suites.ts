/**
 * Suites and groups: where a benchmark sits when benchmarks are the tests of a test suite. One
 * function, `testPlace`, maps a benchmark (and its `--meta group=…`) to its suite, file, group and
 * test function; the index, the group pages, the suite overview and the comment all use it.
 * Browser-safe: no Node imports.
 */

export interface TestPlace {
  /** The test file's top folder (`tests` for `tests/unit/test_a.py`), `.` for a file at the root; null when the name is no test id. */
  suite: string | null;
  /** The test file (`tests/test_x.py`), or null. */
  file: string | null;
  /** What the index groups by: `--meta group=…` when given, else the test file; null for a lone benchmark. */
  group: string | null;
  /** The test function without parameters (`tests/test_x.py::TestA::test_y`): parametrized tests share it. */
  test: string;
  /** The parameter id with its brackets (`[a-1]`), or null. */
  params: string | null;
}

/** `<file>.py::<names>[params]`: a pytest node id. */
const TEST_ID = /^([^:]+?\.py)::([^[]+)(\[.*)?$/su;

/** Where a benchmark sits. `group` is the run's `meta.group` (it wins over the test file). */
export function testPlace(benchmark: string, group?: string | null): TestPlace {
  const m = TEST_ID.exec(benchmark);
  const named = group ? group : null;
  if (m === null) return { suite: null, file: null, group: named, test: benchmark, params: null };
  const file = m[1]!;
  const slash = file.indexOf("/");
  return {
    suite: slash < 0 ? "." : file.slice(0, slash),
    file,
    group: named ?? file,
    test: `${file}::${m[2]!}`,
    params: m[3] ?? null,
  };
}
