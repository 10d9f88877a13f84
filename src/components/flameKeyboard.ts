/**
 * Keyboard and screen-reader access to a d3-flame-graph (both flame graphs): one tab stop on the
 * graph (a roving tabindex over its frames); arrow keys move to the parent, the widest drawn
 * child (up/down as drawn, so flame and icicle layouts agree with the picture) and the
 * neighbours in the row; Enter zooms into the frame, Escape resets the zoom, Home goes to the
 * root. The focused frame shows its tooltip and its text is announced through a polite live
 * region. Frames are the chart's own `g.frame` elements; their data is d3's `__data__`.
 */
import type { HierarchyNode } from "d3-flame-graph";
import { createElement, useCallback, useMemo, useRef, useState, type ReactNode, type RefObject } from "react";

type Frame<D> = SVGGElement & { __data__?: HierarchyNode<D> };

export interface FlameKeyboard {
  /** Call after every draw, zoom or update: frames may have been added or removed. */
  refresh: () => void;
  hostProps: { onKeyDown: (e: React.KeyboardEvent) => void; onFocus: (e: React.FocusEvent) => void; onBlur: (e: React.FocusEvent) => void };
  announcer: ReactNode;
}

/** `describe`: a frame's spoken text; `rootOnTop`: whether children are drawn below (icicle). */
export function useFlameKeyboard<D extends { idx: number }>(host: RefObject<HTMLDivElement | null>, describe: (d: HierarchyNode<D>) => string, rootOnTop: () => boolean = () => true): FlameKeyboard {
  const [message, setMessage] = useState("");
  // The frame (by node index) that holds the tab stop.
  const active = useRef(0);
  const describeRef = useRef(describe);
  describeRef.current = describe;
  const rootOnTopRef = useRef(rootOnTop);
  rootOnTopRef.current = rootOnTop;

  const frames = useCallback((): Frame<D>[] => Array.from(host.current?.querySelectorAll<Frame<D>>("g.frame") ?? []), [host]);

  const refresh = useCallback(() => {
    const all = frames();
    let holder = all.find((g) => g.__data__?.data.idx === active.current) ?? null;
    if (!holder) {
      holder = all.find((g) => g.__data__?.depth === 0) ?? all[0] ?? null;
      active.current = holder?.__data__?.data.idx ?? 0;
    }
    for (const g of all) {
      const d = g.__data__;
      if (!d) continue;
      g.setAttribute("tabindex", g === holder ? "0" : "-1");
      g.setAttribute("role", "button");
      g.setAttribute("aria-label", describeRef.current(d));
    }
  }, [frames]);

  const focusFrame = (g: Frame<D> | undefined | null) => {
    if (!g) return;
    g.focus();
  };

  const onKeyDown = (e: React.KeyboardEvent) => {
    const target = e.target as Frame<D>;
    const d = target.__data__;
    if (!d || !target.classList?.contains("frame")) return;
    const all = frames();
    const byNode = new Map(all.map((g) => [g.__data__, g] as const));
    const down = rootOnTopRef.current() ? "ArrowDown" : "ArrowUp";
    const up = rootOnTopRef.current() ? "ArrowUp" : "ArrowDown";
    let next: Frame<D> | undefined;
    if (e.key === down) {
      next = (d.children ?? []).map((c) => byNode.get(c)).find((g) => g !== undefined);
    } else if (e.key === up) {
      next = d.parent ? byNode.get(d.parent) : undefined;
    } else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
      const row = all.filter((g) => g.__data__?.depth === d.depth).sort((a, b) => a.__data__!.x0 - b.__data__!.x0);
      const at = row.indexOf(target);
      next = row[at + (e.key === "ArrowRight" ? 1 : -1)];
    } else if (e.key === "Home") {
      next = all.find((g) => g.__data__?.depth === 0);
    } else if (e.key === "Enter" || e.key === " ") {
      // d3-flame-graph zooms on click; our onClick handler stores the zoom.
      target.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      e.preventDefault();
      return;
    } else if (e.key === "Escape") {
      const root = all.find((g) => g.__data__?.depth === 0);
      root?.dispatchEvent(new MouseEvent("click", { bubbles: true }));
      focusFrame(root);
      e.preventDefault();
      return;
    } else {
      return;
    }
    e.preventDefault();
    focusFrame(next);
  };

  const onFocus = (e: React.FocusEvent) => {
    const g = e.target as Frame<D>;
    const d = g.__data__;
    if (!d || !g.classList?.contains("frame")) return;
    active.current = d.data.idx;
    for (const other of frames()) other.setAttribute("tabindex", other === g ? "0" : "-1");
    setMessage(describeRef.current(d));
    // The same tooltip a pointer gets, placed at the frame.
    const box = g.getBoundingClientRect();
    g.dispatchEvent(new MouseEvent("mouseover", { clientX: box.left + Math.min(box.width / 2, 40), clientY: box.top + box.height / 2 }));
  };

  const onBlur = (e: React.FocusEvent) => {
    const g = e.target as Frame<D>;
    if (g.classList?.contains("frame")) g.dispatchEvent(new MouseEvent("mouseout"));
  };

  const announcer = useMemo(() => createElement("p", { className: "visually-hidden", "aria-live": "polite", "data-testid": "flame-announcer" }, message), [message]);
  return { refresh, hostProps: { onKeyDown, onFocus, onBlur }, announcer };
}
