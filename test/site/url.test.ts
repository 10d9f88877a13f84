/** URL state: every field round-trips, defaults give an empty hash, old links still open. */
import { describe, expect, test } from "vitest";
import { DEFAULT_STATE, formatFramePath, formatState, parseFramePath, parseState, type FramePath, type ViewState } from "../../src/site/url.ts";

describe("view state in the hash", () => {
  test("the default state is an empty hash, and an empty hash the default state", () => {
    expect(formatState(DEFAULT_STATE)).toBe("");
    expect(parseState("")).toEqual(DEFAULT_STATE);
    expect(parseState("#")).toEqual(DEFAULT_STATE);
  });

  test("every field round-trips", () => {
    const s: ViewState = {
      view: "temporal",
      layout: "flame",
      hideUninteresting: false,
      hideImports: true,
      thread: "0x1 (main)",
      collapseUnresolved: true,
      search: "a&b=c#d",
      zoom: [
        { function: "<module>", filename: "/srv/app/run.py", lineno: 3 },
        { function: "malloc@plt", filename: "C:\\lib\\x.c:y", lineno: 0 },
      ],
      rangeMs: [120, 4500],
      temporalMode: "leaks",
    };
    expect(parseState(formatState(s))).toEqual(s);
  });

  test("filter names say what they do: irrelevant frames shown, import system hidden", () => {
    const hash = formatState({ ...DEFAULT_STATE, hideUninteresting: false, hideImports: true });
    expect(hash).toContain("irrelevant=show");
    expect(hash).toContain("imports=hide");
    // Links made before the rename open as they did.
    expect(parseState("#uninteresting=1&imports=0")).toMatchObject({ hideUninteresting: false, hideImports: true });
  });

  test("zoom is a frame path, not a node number", () => {
    expect(formatState({ ...DEFAULT_STATE, zoom: [{ function: "main", filename: "app.py", lineno: 7 }] })).toBe("#zoom=main%09app.py%3A7");
    // A node index (the old form) is no frame: it is ignored rather than pointing anywhere.
    expect(parseState("#zoom=42").zoom).toBeNull();
  });

  test("bad values fall back to the defaults", () => {
    const s = parseState("#view=nope&layout=sideways&range=1-x&mode=other&zoom=%09");
    expect(s.view).toBe("peak");
    expect(s.layout).toBe("icicle");
    expect(s.rangeMs).toBeNull();
    expect(s.temporalMode).toBe("hwm");
  });
});

describe("frame paths", () => {
  test("names with colons, tabs-free punctuation and unicode survive", () => {
    const path: FramePath = [
      { function: "λ <lambda>", filename: "a:b/c.py", lineno: 12 },
      { function: "", filename: "", lineno: 0 },
    ];
    expect(parseFramePath(formatFramePath(path))).toEqual(path);
  });

  test("a malformed path is null", () => {
    expect(parseFramePath("")).toBeNull();
    expect(parseFramePath("no-tab:3")).toBeNull();
    expect(parseFramePath("f\tfile:notanumber")).toBeNull();
  });
});
