/**
 * An ECharts chart, loaded on demand. The canvas is one picture to a screen reader, so it carries a
 * label, and each page also lists the chart's figures as text next to it.
 */
import type { EChartsCoreOption } from "echarts/core";
import { useEffect, useRef, useState } from "react";
import { useI18n } from "../i18n/i18n.tsx";

type Echarts = typeof import("./../charts/echartsSetup.ts")["echarts"];
let loading: Promise<Echarts> | undefined;
const loadEcharts = () => {
  loading ??= import("../charts/echartsSetup.ts").then((m) => m.echarts);
  return loading;
};

/** Starts downloading the chart library now, alongside the page's data, instead of after it. */
export function preloadCharts(): void {
  loadEcharts().catch(() => {
    loading = undefined; // the chart retries, and says so if it fails again
  });
}

export function Chart({
  option,
  label,
  height,
  testId,
}: {
  option: EChartsCoreOption;
  label: string;
  height?: string;
  testId?: string;
}) {
  const { t } = useI18n();
  const element = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<"loading" | "ready" | "error">("loading");
  useEffect(() => {
    let disposed = false;
    let chart: ReturnType<Echarts["init"]> | undefined;
    let observer: ResizeObserver | undefined;
    loadEcharts().then(
      (echarts) => {
        if (disposed || !element.current) return;
        chart = echarts.init(element.current, undefined, { renderer: "canvas" });
        chart.setOption(option);
        observer = new ResizeObserver(() => chart?.resize());
        observer.observe(element.current);
        setState("ready");
      },
      () => setState("error"),
    );
    return () => {
      disposed = true;
      observer?.disconnect();
      chart?.dispose();
    };
  }, [option]);
  return (
    <div className="chart-wrap">
      <div
        ref={element}
        className="chart"
        style={height ? { height } : undefined}
        role="img"
        aria-label={label}
        data-testid={testId}
        data-state={state}
      />
      {state === "loading" ? <p className="hint">{t("chart.loading")}</p> : null}
      {state === "error" ? <p className="hint">{t("chart.error")}</p> : null}
    </div>
  );
}
