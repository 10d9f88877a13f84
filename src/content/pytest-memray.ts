/**
 * pytest-memray's capture file names, the one place heaptrail knows them.
 *
 * With `--memray-bin-path DIR`, pytest-memray writes each test's capture as
 * `DIR/<prefix>-<node id>.bin`, where the prefix is `--memray-bin-prefix` (default: a uuid4 as 32
 * hex digits) and the node id had every `::` and every path separator replaced by `-`. A name
 * longer than 250 UTF-8 bytes (255, less room for the `.metadata` sibling) is cut at 229 bytes (a
 * partly cut character dropped) and ends `-<first 16 hex digits of sha256 of the full name>.bin`.
 *
 * What the file name cannot say: a `-` in a folder name (read back as `/`), and a `/` or `::`
 * inside parameter ids (they stay `-`: `test_y[a/b]` and `test_y[a-b]` are one file to
 * pytest-memray too, the later overwriting the earlier). Name such tests with `--benchmark` or
 * `--meta benchmark=…` in a meta file. A prefix with a `-` in it is read as its first token.
 */

/** pytest-memray's limit on a whole file name, in UTF-8 bytes. */
export const PYTEST_MEMRAY_MAX_NAME_BYTES = 250;
/** A cut name's tail: `-` and 16 hex digits of the full name's sha256. */
const DIGEST_TAIL = /-([0-9a-f]{16})$/;
/** The shortest a cut name can be: 229 kept bytes, less a cut character's 3 dropped, plus the 21-byte tail. */
const MIN_CUT_NAME_BYTES = 229 - 3 + 21;

const utf8Length = (s: string): number => new TextEncoder().encode(s).length;

/** Class and function names are Python identifiers (no `-`, unicode allowed): a `-` between them was `::`. */
const NAMES = /^[\p{ID_Start}_][\p{ID_Continue}]*(?:-[\p{ID_Start}_][\p{ID_Continue}]*)*$/u;

/**
 * The pytest node id a pytest-memray file stem (the name without `.bin`) names, or null when it
 * is not one. A cut name gives the id as far as it survived, then `…` and the name's digest (so
 * two cut names stay two benchmarks).
 */
export function pytestMemrayTestId(stem: string): string | null {
  let body = stem;
  let digest: string | null = null;
  const nameBytes = utf8Length(`${stem}.bin`);
  const tail = DIGEST_TAIL.exec(stem);
  if (tail && nameBytes >= MIN_CUT_NAME_BYTES && nameBytes <= PYTEST_MEMRAY_MAX_NAME_BYTES) {
    digest = tail[1]!;
    body = stem.slice(0, -tail[0].length);
  }
  const dash = body.indexOf("-");
  if (dash <= 0) return null;
  const rest = body.slice(dash + 1);
  // The test file: up to the first `.py-` (the module is always a .py file).
  const py = rest.indexOf(".py-");
  if (py <= 0) return null;
  const path = rest.slice(0, py + 3);
  // An empty folder name (`--`, a leading `-`) is no path: heaptrail's own `name--commit` names.
  if (path.split("-").some((part) => part === "")) return null;
  const test = rest.slice(py + 4);
  const bracket = test.indexOf("[");
  const names = bracket < 0 ? test : test.slice(0, bracket);
  const params = bracket < 0 ? "" : test.slice(bracket);
  if (!NAMES.test(names)) return null;
  if (digest === null && params !== "" && !params.endsWith("]")) return null;
  const id = `${path.replace(/-/g, "/")}::${names.replace(/-/g, "::")}${params}`;
  return digest === null ? id : `${id}…${digest}`;
}
