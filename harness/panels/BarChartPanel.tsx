// A bar chart panel drawn from the parts Grafana's own bar chart is built from:
// @grafana/ui's UPlotChart and UPlotConfigBuilder, uPlot's bars path, and the
// panel's x field, orientation, stacking, widths, value labels and colours. Every
// row of the frame is a bar. The container lists what was drawn in data
// attributes, so that a browser test can count the bars on the canvas.
import React, { useMemo, useRef } from 'react';
import uPlot from 'uplot';
import { formattedValueToString, GrafanaTheme2 } from '@grafana/data';
import {
  UPlotChart,
  UPlotConfigBuilder,
  useTheme2,
  VizLayout,
  VizLegend,
  VizLegendItem,
  UPLOT_AXIS_FONT_SIZE,
} from '@grafana/ui';
import {
  AxisPlacement,
  LegendDisplayMode,
  ScaleDirection,
  ScaleDistribution,
  ScaleOrientation,
  StackingMode,
  VisibilityMode,
  VizLegendOptions,
  VizOrientation,
} from '@grafana/schema';

import { barChartModel, BarChartModel } from '../../src/preview/barChart';
import { PanelView } from '../../src/preview/panelPreview';

const VALUE_FONT_MAX = 30;
const VALUE_FONT_MIN = 8;

export function BarChartPanel({ view, width, height }: { view: PanelView; width: number; height: number }) {
  const theme = useTheme2();
  const o = view.panel.options ?? {};
  const legend: VizLegendOptions = {
    showLegend: true,
    displayMode: LegendDisplayMode.List,
    placement: 'bottom',
    calcs: [],
    ...(o.legend ?? {}),
  };
  const model = useMemo(() => barChartModel(view.frames[0], o, width, height), [view, o, width, height]);
  const drawn = useRef<HTMLDivElement>(null);
  const items: VizLegendItem[] = model.series.map((s, i) => ({
    label: s.name,
    color: s.stroke[0],
    yAxis: 1,
    fieldName: s.name,
    getItemKey: () => `${i}`,
  }));
  return (
    <div
      ref={drawn}
      data-testid="bar-chart"
      data-rows={model.labels.length}
      data-series={model.series.length}
      data-orientation={model.orientation}
    >
      <VizLayout
        width={width}
        height={height}
        legend={
          legend.showLegend ? (
            <VizLayout.Legend placement={legend.placement}>
              <VizLegend placement={legend.placement} items={items} displayMode={legend.displayMode} readonly />
            </VizLayout.Legend>
          ) : null
        }
      >
        {(w, h) => <Bars model={model} theme={theme} width={w} height={h} options={o} report={drawn} />}
      </VizLayout>
    </div>
  );
}

function Bars({
  model,
  theme,
  width,
  height,
  options,
  report,
}: {
  model: BarChartModel;
  theme: GrafanaTheme2;
  width: number;
  height: number;
  options: Record<string, any>;
  report: React.RefObject<HTMLDivElement | null>;
}) {
  const config = useMemo(() => chartConfig(model, theme, options, report), [model, theme, options, report]);
  const data = useMemo(() => {
    const out: uPlot.AlignedData = [model.labels.map((_, i) => i), ...model.series.map((s) => s.to)];
    return out;
  }, [model]);
  return <UPlotChart config={config} data={data} width={width} height={height} />;
}

function chartConfig(
  model: BarChartModel,
  theme: GrafanaTheme2,
  options: Record<string, any>,
  report: React.RefObject<HTMLDivElement | null>
): UPlotConfigBuilder {
  const vertical = model.orientation === VizOrientation.Vertical;
  const stacked = model.stacking !== StackingMode.None;
  const builder = new UPlotConfigBuilder('utc');
  builder.setCursor({ x: false, y: false, points: { show: false }, drag: { x: false, y: false } });
  // Room around the plot so the axes' outer labels are not cut at the panel's edge.
  const g = theme.spacing.gridSize;
  builder.setPadding([g * 2, g * 2, 0, g]);
  const rows = model.labels.length;

  // The category axis: one tick per row, in the frame's order.
  builder.addScale({
    scaleKey: 'x',
    isTime: false,
    distribution: ScaleDistribution.Linear,
    orientation: vertical ? ScaleOrientation.Horizontal : ScaleOrientation.Vertical,
    direction: vertical ? ScaleDirection.Right : ScaleDirection.Down,
    range: () => [-0.5, rows - 0.5],
  });
  builder.addAxis({
    scaleKey: 'x',
    isTime: false,
    placement: vertical ? AxisPlacement.Bottom : AxisPlacement.Left,
    theme,
    grid: { show: false },
    splits: () => model.labels.map((_, i) => i),
    values: (u, splits) => tickLabels(u, splits as number[], model.labels, vertical, options.xTickLabelSpacing ?? 0),
    tickLabelRotation: options.xTickLabelRotation ?? 0,
  });

  // The value axis, in the first value field's unit.
  const first = model.series[0].field;
  builder.addScale({
    scaleKey: 'y',
    orientation: vertical ? ScaleOrientation.Vertical : ScaleOrientation.Horizontal,
    direction: vertical ? ScaleDirection.Up : ScaleDirection.Right,
    softMin: first.config.min ?? 0,
    min: model.stacking === StackingMode.Percent ? 0 : first.config.min,
    max: model.stacking === StackingMode.Percent ? 1 : first.config.max,
    distribution: ScaleDistribution.Linear,
  });
  builder.addAxis({
    scaleKey: 'y',
    placement: vertical ? AxisPlacement.Left : AxisPlacement.Bottom,
    theme,
    formatValue: (v: number) =>
      model.stacking === StackingMode.Percent ? `${Math.round(v * 100)}%` : formattedValueToString(first.display!(v)),
  });

  const drawnBars: Array<{ series: number; row: number; x: number; y: number; w: number; h: number }> = [];
  builder.addHook('drawClear', () => {
    drawnBars.length = 0;
  });
  model.series.forEach((s, i) => {
    const layout = model.layout[i];
    const bars = uPlot.paths.bars!({
      disp: {
        x0: { unit: 2, values: () => layout.offsets },
        size: { unit: 2, values: () => layout.offsets.map(() => layout.size) },
        fill: { unit: 3, values: () => s.fill },
        stroke: { unit: 3, values: () => s.stroke },
        ...(stacked ? { y0: { unit: 1, values: () => s.from }, y1: { unit: 1, values: () => s.to } } : {}),
      },
      each: (u, seriesIdx, row, x, y, w, h) => {
        drawnBars.push({ series: seriesIdx - 1, row, x: x - u.bbox.left, y: y - u.bbox.top, w, h });
      },
    });
    builder.addSeries({
      scaleKey: 'y',
      pathBuilder: bars,
      lineColor: s.stroke[0],
      fillColor: s.fill[0],
      lineWidth: s.field.config.custom?.lineWidth ?? 1,
      theme,
      show: true,
    });
  });

  builder.addHook('draw', (u: uPlot) => {
    drawValues(u, model, drawnBars, theme, vertical, options.text?.valueSize);
    const el = report.current;
    if (el) {
      el.dataset.bars = String(drawnBars.length);
      el.dataset.barRows = [...new Set(drawnBars.map((b) => b.row))].sort((a, b) => a - b).join(',');
    }
  });
  return builder;
}

/** Every label that fits; with a label spacing set, as many as keep that many pixels between them. */
function tickLabels(u: uPlot, splits: number[], labels: string[], vertical: boolean, spacing: number): string[] {
  if (!spacing) {
    return splits.map((i) => labels[i] ?? '');
  }
  const dim = vertical ? u.bbox.width : u.bbox.height;
  const perRow = dim / devicePixelRatio / Math.max(labels.length, 1);
  const labelPx = vertical
    ? Math.max(...labels.map((l) => l.length)) * UPLOT_AXIS_FONT_SIZE * 0.6
    : UPLOT_AXIS_FONT_SIZE;
  const every = Math.max(1, Math.ceil((labelPx + Math.abs(spacing)) / Math.max(perRow, 1)));
  return splits.map((i) => (i % every === 0 ? (labels[i] ?? '') : ''));
}

/** The value above (or beside) each bar, when the panel shows values and they fit. */
function drawValues(
  u: uPlot,
  model: BarChartModel,
  drawnBars: Array<{ series: number; row: number; x: number; y: number; w: number; h: number }>,
  theme: GrafanaTheme2,
  vertical: boolean,
  valueSize?: number
) {
  if (model.showValue === VisibilityMode.Never || drawnBars.length === 0) {
    return;
  }
  const texts = drawnBars.map((b) => {
    const s = model.series[b.series];
    return formattedValueToString(s.field.display!(s.values[b.row]));
  });
  const ctx = u.ctx;
  let size = valueSize ?? VALUE_FONT_MAX;
  if (!valueSize) {
    // The largest size at which every label fits across its bar.
    for (let i = 0; i < drawnBars.length; i++) {
      ctx.font = `${size}px ${theme.typography.fontFamily}`;
      const room = vertical ? drawnBars[i].w * 0.65 : drawnBars[i].h;
      const wide = ctx.measureText(texts[i]).width;
      if (vertical && wide > room) {
        size = Math.floor((size * room) / wide);
      } else if (!vertical && size > room) {
        size = Math.floor(room);
      }
    }
  }
  if (size < VALUE_FONT_MIN && model.showValue !== VisibilityMode.Always) {
    return;
  }
  ctx.save();
  ctx.fillStyle = theme.colors.text.primary;
  ctx.font = `${size}px ${theme.typography.fontFamily}`;
  ctx.textAlign = vertical ? 'center' : 'left';
  ctx.textBaseline = vertical ? 'bottom' : 'middle';
  drawnBars.forEach((b, i) => {
    const x = u.bbox.left + (vertical ? b.x + b.w / 2 : b.x + b.w + 4);
    const y = u.bbox.top + (vertical ? b.y - 2 : b.y + b.h / 2);
    ctx.fillText(texts[i], x, y);
  });
  ctx.restore();
}
