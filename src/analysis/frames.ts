/**
 * memray's frame predicates (docs/capture-format.md §5.6): which frames are CPython internals, which belong to the
 * import system, which are "interesting". Pure string tests, shared by every tree builder.
 */

const CPYTHON_CALLS = new Set([
  "PyObject_Call",
  "call_function",
  "classmethoddescr_call",
  "cmpwrapper_call",
  "do_call_core",
  "fast_function",
  "function_call",
  "function_code_fastcall",
  "instance_call",
  "instancemethod_call",
  "methoddescr_call",
  "proxy_call",
  "slot_tp_call",
  "trace_call_function",
  "type_call",
  "weakref_call",
  "wrap_call",
  "wrapper_call",
  "wrapperdescr_call",
]);

// `[c|h]` is memray's own character class: it also accepts a literal "|".
const CPYTHON_SOURCE = /(Include|Objects|Modules|Python|cpython).*\.[c|h]$/;

/** A CPython evaluation/call frame: never becomes a node. Only ever matches native frames. */
export function isCpythonInternal(fn: string, filename: string): boolean {
  const symbolMatch =
    fn.includes("PyEval_EvalFrameEx") ||
    fn.includes("_PyEval_EvalFrameDefault") ||
    (fn.startsWith("_TAIL_CALL_") && fn.includes(".llvm.")) ||
    fn.startsWith("PyEval") ||
    fn.startsWith("_Py") ||
    fn.toLowerCase().includes("vectorcall") ||
    CPYTHON_CALLS.has(fn) ||
    filename.includes("Objects/call.c");
  return symbolMatch && CPYTHON_SOURCE.test(filename);
}

export function isImportSystem(fn: string, filename: string): boolean {
  if (filename.includes("frozen importlib")) return true;
  return (fn === "import_name" || fn === "import_from" || fn === "import_all_from") && filename.endsWith("ceval.c");
}

/** memray's `interesting`, before the import-system test is folded in. */
export function isInterestingFrame(fn: string, filename: string): boolean {
  if (filename.endsWith("runpy.py") || filename === "<frozen runpy>") return false;
  return !isCpythonInternal(fn, filename);
}

/** Python `hex(tid)` plus the thread's name, as memray labels threads. */
export function threadLabel(tid: number, name: string | null | undefined): string {
  const hex = `0x${tid.toString(16)}`;
  return name ? `${hex} (${name})` : hex;
}

/**
 * memray's launcher and pytest-memray's plugin: `bin/memray`, `memray/__main__.py`,
 * `memray/commands/*` (`_run_tracker` and its callers) and `pytest_memray/*`. memray counts them
 * interesting, but they are frames memray injects, not the user's: the data files mark them
 * irrelevant, and the run page's "grew most" leaves them out. Their bytes stay counted.
 */
const LAUNCHER_FILE = /(^|[\\/])(memray[\\/](commands[\\/]|__main__\.py$)|pytest_memray[\\/]|bin[\\/]memray$)/;

export function isLauncherFrame(filename: string): boolean {
  return LAUNCHER_FILE.test(filename);
}
