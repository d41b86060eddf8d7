/**
 * ECharts with only what the portal draws: Sankey and bar charts on a canvas, with tooltips and a
 * grid. Loaded with import() by the pages that have charts, so the other pages never download it.
 */
import { BarChart, SankeyChart } from "echarts/charts";
import { AriaComponent, GridComponent, LegendComponent, TooltipComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";

echarts.use([SankeyChart, BarChart, GridComponent, TooltipComponent, LegendComponent, AriaComponent, CanvasRenderer]);

export { echarts };
