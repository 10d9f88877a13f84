// Minimal types for the parts of d3-flame-graph 5 that heaptrail uses (the package ships none).
declare module "d3-flame-graph" {
  export interface HierarchyNode<T> {
    data: T;
    value: number;
    depth: number;
    x0: number;
    x1: number;
    parent: HierarchyNode<T> | null;
    children?: HierarchyNode<T>[];
    highlight?: boolean;
    id: number;
  }
  export interface Tooltip<T> {
    (selection: unknown): void;
    show(event: MouseEvent, d: HierarchyNode<T>): void;
    hide(): void;
    destroy?(): void;
  }
  export interface FlameGraph<T> {
    (selection: unknown): void;
    width(w: number): FlameGraph<T>;
    /** null: measure the height again from the data on the next update. */
    height(h: number | null): FlameGraph<T>;
    cellHeight(h: number): FlameGraph<T>;
    minFrameSize(px: number): FlameGraph<T>;
    transitionDuration(ms: number): FlameGraph<T>;
    inverted(on: boolean): FlameGraph<T>;
    sort(on: boolean | ((a: HierarchyNode<T>, b: HierarchyNode<T>) => number)): FlameGraph<T>;
    tooltip(t: Tooltip<T>): FlameGraph<T>;
    getName(f: (d: HierarchyNode<T>) => string): FlameGraph<T>;
    label(f: (d: HierarchyNode<T>) => string): FlameGraph<T>;
    setColorMapper(f: (d: HierarchyNode<T>, original: string) => string): FlameGraph<T>;
    setSearchMatch(f: (d: HierarchyNode<T>, term: string) => boolean): FlameGraph<T>;
    setSearchHandler(f: (results: HierarchyNode<T>[], sum: number, total: number) => void): FlameGraph<T>;
    setDetailsHandler(f: (text: string | null) => void): FlameGraph<T>;
    onClick(f: (d: HierarchyNode<T>) => void): FlameGraph<T>;
    search(term: string): void;
    clear(): void;
    resetZoom(): void;
    zoomTo(d: HierarchyNode<T>): void;
    findById(id: number): HierarchyNode<T> | null;
    update(data?: T): FlameGraph<T>;
    destroy(): FlameGraph<T>;
  }
  export default function flamegraph<T = unknown>(): FlameGraph<T>;
}

// Only `select(node).datum(...).call(...)` and `.datum()` are used (d3-selection ships no types).
declare module "d3-selection" {
  export interface Selection {
    datum(): unknown;
    datum(value: unknown): Selection;
    call(f: (s: Selection) => void): Selection;
  }
  export function select(node: Element): Selection;
}
