/**
 * The flame graph toolbar the run page and the compare page share: layout, the two frame filters,
 * search and reset zoom. Each page adds its own controls: `leading` before the layout select (the
 * compare page's width toggle), `children` between the filters and the search (the run page's
 * native-frame and thread controls). Changing a filter drops the zoom: its frame may be gone.
 */
import type { ReactNode } from "react";
import type { FramePath } from "../site/url.ts";

export interface FlameToolbarState {
  layout: "icicle" | "flame";
  hideUninteresting: boolean;
  hideImports: boolean;
  search: string;
  zoom: FramePath | null;
}

interface Props {
  state: FlameToolbarState;
  update: (patch: Partial<FlameToolbarState>) => void;
  leading?: ReactNode;
  children?: ReactNode;
}

export default function FlameToolbar({ state, update, leading, children }: Props) {
  return (
    <div className="toolbar" role="group" aria-label="Flame graph options">
      {leading}
      <label>
        Layout{" "}
        <select value={state.layout} onChange={(e) => update({ layout: e.target.value as FlameToolbarState["layout"] })}>
          <option value="icicle">Icicle (root on top)</option>
          <option value="flame">Flame (root at bottom)</option>
        </select>
      </label>
      <label>
        <input type="checkbox" checked={state.hideUninteresting} onChange={(e) => update({ hideUninteresting: e.target.checked, zoom: null })} /> Hide irrelevant frames
      </label>
      <label>
        <input type="checkbox" checked={state.hideImports} onChange={(e) => update({ hideImports: e.target.checked, zoom: null })} /> Hide import system
      </label>
      {children}
      <label>
        Search <input type="search" value={state.search} placeholder="function or file" onChange={(e) => update({ search: e.target.value })} />
      </label>
      <button type="button" onClick={() => update({ zoom: null })} disabled={state.zoom === null}>
        Reset zoom
      </button>
    </div>
  );
}
