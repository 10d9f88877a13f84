/** Checks run inside a page: what sticks out of the viewport, and text below WCAG AA contrast. */
import type { Page } from "playwright-core";

/**
 * Elements that stick out of the viewport and are not inside a box that scrolls or clips them:
 * what a reader would have to scroll the whole page sideways to see.
 */
export function overflowing(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const vw = document.documentElement.clientWidth;
    const out: string[] = [];
    if (document.documentElement.scrollWidth > vw + 1) out.push(`page scrolls to ${document.documentElement.scrollWidth}px`);
    const clipped = (el: Element): boolean => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        // Clipped by a scroll or clip box that itself fits the viewport (an SVG clips its own
        // children, so keep climbing past one that does not fit).
        const o = getComputedStyle(a).overflowX;
        if (o !== "visible" && a.getBoundingClientRect().right <= vw + 1) return true;
      }
      return false;
    };
    for (const el of document.querySelectorAll("main *, nav *, header *")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      if ((r.right > vw + 1 || r.left < -1) && !clipped(el)) out.push(`${el.tagName.toLowerCase()}.${el.getAttribute("class") ?? ""} ${Math.round(r.left)}..${Math.round(r.right)}`);
    }
    return out.slice(0, 10);
  });
}

/**
 * Visible text whose contrast against what is behind it is below `min` (WCAG's ratio of
 * relative luminances), computed from computed styles: the text colour (its alpha blended) over
 * the first opaque background up the tree, semi-transparent backgrounds on the way blended in.
 * A flame frame's label sits on its rect's fill. Disabled controls are exempt (WCAG 1.4.3), as
 * is text nobody sees (hidden, clipped to nothing, visually-hidden for screen readers).
 */
export function lowContrast(page: Page, min = 4.5): Promise<string[]> {
  return page.evaluate((minRatio) => {
    type RGBA = [number, number, number, number];
    const probe = document.createElement("canvas").getContext("2d")!;
    const parse = (css: string): RGBA => {
      // Any CSS colour (rgb, hsl, oklch…) to sRGB through the canvas.
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = "#000";
      probe.fillStyle = css;
      probe.fillRect(0, 0, 1, 1);
      const [r, g, b, a] = probe.getImageData(0, 0, 1, 1).data;
      return [r!, g!, b!, a! / 255];
    };
    const over = (top: RGBA, below: RGBA): RGBA => {
      const a = top[3];
      return [top[0] * a + below[0] * (1 - a), top[1] * a + below[1] * (1 - a), top[2] * a + below[2] * (1 - a), 1];
    };
    const luminance = ([r, g, b]: RGBA): number => {
      const lin = (c: number) => {
        const s = c / 255;
        return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
      };
      return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
    };
    const background = (el: Element): RGBA => {
      const layers: RGBA[] = [];
      for (let a: Element | null = el; a; a = a.parentElement) {
        const frame: Element | null = a.closest("g.frame");
        if (frame && a === frame) {
          const rect = frame.querySelector("rect");
          if (rect) {
            const fill = parse(getComputedStyle(rect).fill);
            const opacity = Number(getComputedStyle(rect).fillOpacity || "1");
            layers.push([fill[0], fill[1], fill[2], fill[3] * opacity]);
          }
        } else if (!(a instanceof SVGElement)) {
          const bg = parse(getComputedStyle(a).backgroundColor);
          if (bg[3] > 0) layers.push(bg);
        }
        if (layers.length > 0 && layers[layers.length - 1]![3] >= 1) break;
      }
      let colour: RGBA = parse(getComputedStyle(document.documentElement).backgroundColor);
      if (colour[3] === 0) colour = [255, 255, 255, 1];
      for (let i = layers.length - 1; i >= 0; i--) colour = over(layers[i]!, colour);
      return colour;
    };
    const out: string[] = [];
    const seen = new Set<string>();
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent?.trim() ?? "";
      const el = n.parentElement;
      if (!text || !el) continue;
      if (el.closest("script, style, noscript, option, .visually-hidden, [hidden]")) continue;
      if (el.closest("button:disabled, input:disabled, select:disabled, fieldset:disabled")) continue;
      const style = getComputedStyle(el);
      if (style.visibility !== "visible" || style.display === "none") continue;
      const range = document.createRange();
      range.selectNodeContents(n);
      const box = range.getBoundingClientRect();
      if (box.width < 1 || box.height < 1) continue;
      // Effective opacity of the text (a faded frame, a dimmed row).
      let opacity = 1;
      for (let a: Element | null = el; a; a = a.parentElement) opacity *= Number(getComputedStyle(a).opacity || "1");
      const bg = background(el);
      const fg = parse(style.color);
      const shown = over([fg[0], fg[1], fg[2], fg[3] * opacity], bg);
      const l1 = luminance(shown);
      const l2 = luminance(bg);
      const ratio = (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05);
      if (ratio < minRatio) {
        const key = `${el.tagName.toLowerCase()}.${el.getAttribute("class") ?? ""} ${style.color} on rgb(${bg.slice(0, 3).map(Math.round).join(",")})`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push(`${ratio.toFixed(2)}:1 "${text.slice(0, 30)}" ${key}`);
      }
    }
    return out.slice(0, 15);
  }, min);
}
