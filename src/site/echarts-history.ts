/**
 * The echarts parts the benchmark page draws with, registered when this module loads: a chunk
 * of its own, imported only when a chart first draws (useEChart's `load`).
 */
import { LineChart } from "echarts/charts";
import { GridComponent, LegendComponent, MarkLineComponent, TooltipComponent } from "echarts/components";
import { use as registerChartParts } from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

registerChartParts([LineChart, GridComponent, LegendComponent, MarkLineComponent, TooltipComponent, CanvasRenderer]);
