// What Grafana's bar chart panel draws, as data: which field names the bars, which
// fields are the bars' heights, their colours, and where each bar sits. The harness
// draws it with uPlot through @grafana/ui's UPlotConfigBuilder; a test can read it.
import { colorManipulator, DataFrame, Field, FieldType, getFieldDisplayName } from '@grafana/data';
import { StackingMode, VisibilityMode, VizOrientation } from '@grafana/schema';

export interface BarSeries {
  field: Field;
  name: string;
  /** the values as the frame has them */
  values: Array<number | null>;
  /** where each bar starts and ends on the value axis, after stacking */
  from: Array<number | null>;
  to: Array<number | null>;
  fill: string[];
  stroke: string[];
}

export interface BarChartModel {
  xField: Field;
  labels: string[];
  series: BarSeries[];
  orientation: VizOrientation.Horizontal | VizOrientation.Vertical;
  stacking: StackingMode;
  showValue: VisibilityMode;
  /** per series, each bar's left edge and width as fractions of the category axis */
  layout: Array<{ offsets: number[]; size: number }>;
}

/** The options of Grafana's bar chart panel that change what is drawn, with Grafana's defaults. */
export interface BarChartOptions {
  xField?: string;
  orientation?: VizOrientation;
  showValue?: VisibilityMode;
  stacking?: StackingMode;
  barWidth?: number;
  groupWidth?: number;
  fullHighlight?: boolean;
}

export function barChartModel(
  frame: DataFrame,
  options: BarChartOptions,
  width: number,
  height: number
): BarChartModel {
  const named = (f: Field) => f.name === options.xField || getFieldDisplayName(f, frame) === options.xField;
  // Grafana's choice when the panel names no x field: the first string field, else the first time field.
  const xField =
    (options.xField ? frame.fields.find(named) : undefined) ??
    frame.fields.find((f) => f.type === FieldType.string) ??
    frame.fields.find((f) => f.type === FieldType.time);
  if (!xField) {
    throw new Error('the bar chart has no field to name its bars (a string or time field, or the xField option)');
  }
  const valueFields = frame.fields.filter(
    (f) => f !== xField && f.type === FieldType.number && !f.config.custom?.hideFrom?.viz
  );
  if (valueFields.length === 0) {
    throw new Error('the bar chart has no number field to draw');
  }
  const stacking = options.stacking ?? StackingMode.None;
  const rows = frame.length;
  const totals = Array.from({ length: rows }, (_, i) =>
    valueFields.reduce((s, f) => s + Math.abs(Number(f.values[i] ?? 0)), 0)
  );
  const base = Array<number>(rows).fill(0);
  const series: BarSeries[] = valueFields.map((field) => {
    const values = field.values.map((v: unknown) => (v === null || v === undefined ? null : Number(v)));
    const opacity = (field.config.custom?.fillOpacity ?? 80) / 100;
    const colors = values.map((v: number | null) => field.display!(v).color ?? '#808080');
    let from: Array<number | null> = values.map((v: number | null) => (v === null ? null : 0));
    let to = values.slice();
    if (stacking !== StackingMode.None) {
      const scale = (i: number) => (stacking === StackingMode.Percent ? (totals[i] === 0 ? 0 : 1 / totals[i]) : 1);
      from = values.map((v: number | null, i: number) => (v === null ? null : base[i]));
      to = values.map((v: number | null, i: number) => {
        if (v === null) {
          return null;
        }
        base[i] += v * scale(i);
        return base[i];
      });
    }
    return {
      field,
      name: getFieldDisplayName(field, frame),
      values,
      from,
      to,
      fill: colors.map((c: string) => colorManipulator.alpha(c, opacity)),
      stroke: colors,
    };
  });
  let orientation = options.orientation ?? VizOrientation.Auto;
  if (orientation === VizOrientation.Auto) {
    orientation = width < height ? VizOrientation.Horizontal : VizOrientation.Vertical;
  }
  return {
    xField,
    labels: xField.values.map((v: unknown) => (xField.display ? xField.display(v).text : String(v))),
    series,
    orientation: orientation as BarChartModel['orientation'],
    stacking,
    showValue: options.showValue ?? VisibilityMode.Auto,
    layout: barLayout(
      rows,
      series.length,
      stacking !== StackingMode.None,
      options.groupWidth ?? 0.7,
      options.barWidth ?? 0.97
    ),
  };
}

/**
 * Each category takes an equal share of the axis; its group of bars takes
 * groupWidth of that share, centred, and each bar barWidth of its slot in the
 * group. Stacked bars share one slot. As in Grafana, the two widths trade places
 * when bars are stacked.
 */
export function barLayout(rows: number, bars: number, stacked: boolean, groupWidth: number, barWidth: number) {
  if (stacked) {
    [groupWidth, barWidth] = [barWidth, groupWidth];
  }
  const slots = stacked ? 1 : bars;
  const category = 1 / Math.max(rows, 1);
  const group = category * groupWidth;
  const slot = group / slots;
  const size = slot * barWidth;
  return Array.from({ length: bars }, (_, b) => ({
    size,
    offsets: Array.from(
      { length: rows },
      (_, i) => i * category + (category - group) / 2 + (stacked ? 0 : b) * slot + (slot - size) / 2
    ),
  }));
}
