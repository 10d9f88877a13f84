/** A run's flame graph with its function table below; selecting a function highlights its frames. */
import { useEffect, useMemo, useState } from "react";
import { functionTable } from "../site/functions.ts";
import FlameGraph from "./FlameGraph.tsx";
import { RunFunctionTable } from "./FunctionTable.tsx";

type FlameProps = React.ComponentProps<typeof FlameGraph>;

export default function FlameView(props: Omit<FlameProps, "highlight"> & { inverted?: boolean }) {
  const { tree, filter, inverted = false } = props;
  const [selected, setSelected] = useState<string | null>(null);
  const rows = useMemo(() => functionTable(tree, filter, { inverted }), [tree, filter, inverted]);
  // A function the new data does not have is no longer selected.
  useEffect(() => {
    if (selected !== null && !rows.some((r) => r.key === selected)) setSelected(null);
  }, [rows, selected]);
  return (
    <>
      <FlameGraph {...props} highlight={selected} />
      <RunFunctionTable rows={rows} selected={selected} onSelect={setSelected} />
    </>
  );
}
