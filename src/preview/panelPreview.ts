// What a dashboard panel would show in Grafana, computed with Grafana's own display
// code from @grafana/data: the panel's transformations, its field config and
// overrides, display names and reduced values. Grafana's app registers its standard
// transformers and field options at start; these functions do the same from what
// @grafana/data exports, so that a test and the browser preview need no Grafana server.
import {
  applyFieldOverrides,
  createTheme,
  DataFrame,
  DataFrameJSON,
  dataFrameFromJSON,
  DataTransformerConfig,
  DataTransformerInfo,
  Field,
  dataLinksOverrideProcessor,
  FieldConfigOptionsRegistry,
  FieldConfigPropertyItem,
  FieldConfigSource,
  FieldDisplay,
  FieldType,
  getFieldDisplayName,
  getFieldDisplayValues,
  identityOverrideProcessor,
  InterpolateFunction,
  numberOverrideProcessor,
  ReduceDataOptions,
  ScopedVars,
  standardTransformers,
  standardTransformersRegistry,
  stringOverrideProcessor,
  thresholdsOverrideProcessor,
  transformDataFrame,
  TransformerRegistryItem,
  valueMappingsOverrideProcessor,
} from '@grafana/data';
import { lastValueFrom } from 'rxjs';

import { RuleAnswer } from './alertRules';

export interface PanelModel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<Record<string, unknown>>;
  transformations?: DataTransformerConfig[];
  fieldConfig?: FieldConfigSource;
  options?: Record<string, any>;
  panels?: PanelModel[];
  timeShift?: string;
}

export interface Answers {
  now: string;
  variables: Record<string, string>;
  dashboard: { uid?: string; panels: PanelModel[]; timezone?: string };
  panels: Record<
    string,
    { frames: DataFrameJSON[]; errors?: Record<string, string>; range: { from: number; to: number } }
  >;
  /** the provisioned alert rules' data queries, answered at `now` */
  rules?: RuleAnswer[];
}

export interface PanelView {
  panel: PanelModel;
  /** frames after transformations and field config, as the visualisation gets them */
  frames: DataFrame[];
  /** stat and bar gauge: the values Grafana's reducer shows */
  values: FieldDisplay[];
  /** the names a legend, a header or a bar shows */
  names: string[];
  errors: string[];
  /** the time range the panel's queries were answered for, epoch ms */
  range: { from: number; to: number };
}

/** Panel types that show data; the rest (rows, alert lists) have no queries. */
export const DATA_PANELS = ['stat', 'bargauge', 'timeseries', 'table', 'barchart'];

let registered = false;
function registerTransformers() {
  if (registered) {
    return;
  }
  registered = true;
  // Some transformers are exported twice, under an old name and a new one.
  const byId = new Map(Object.values(standardTransformers).map((t) => [t.id, t]));
  standardTransformersRegistry.setInit(() =>
    [...byId.values()].map((t) => ({
      id: t.id,
      name: t.name,
      description: t.description,
      transformation: eagerAndLazy(t),
      editor: () => null,
      imageDark: '',
      imageLight: '',
    }))
  );
}

// Grafana 12 reads a registered transformer's `operator` from `transformation`; Grafana 13
// calls `transformation()` and awaits the transformer. One function carrying the operator
// serves both, so the preview runs on every Grafana the plugin supports.
function eagerAndLazy(t: DataTransformerInfo) {
  const resolve = () => Promise.resolve(t);
  return Object.assign(resolve, {
    operator: t.operator,
    defaultOptions: t.defaultOptions,
  }) as unknown as TransformerRegistryItem['transformation'];
}

/** The standard field options Grafana registers for every panel, plus the panel's custom ones. */
function fieldConfigRegistry(panel: PanelModel): FieldConfigOptionsRegistry {
  const standard = (id: string, process: FieldConfigPropertyItem['process'], settings: object = {}) => ({
    id,
    path: id,
    name: id,
    process,
    settings,
    override: () => null,
    editor: () => null,
    shouldApply: () => true,
  });
  const items: FieldConfigPropertyItem[] = [
    standard('displayName', stringOverrideProcessor, { expandTemplateVars: true }),
    standard('unit', stringOverrideProcessor),
    standard('min', numberOverrideProcessor),
    standard('max', numberOverrideProcessor),
    standard('decimals', numberOverrideProcessor),
    standard('noValue', stringOverrideProcessor),
    standard('description', stringOverrideProcessor),
    standard('thresholds', thresholdsOverrideProcessor),
    standard('mappings', valueMappingsOverrideProcessor),
    standard('color', identityOverrideProcessor),
    standard('links', dataLinksOverrideProcessor),
  ] as FieldConfigPropertyItem[];
  // Custom options belong to the visualisation; they pass through unchanged.
  const custom = new Set(Object.keys(panel.fieldConfig?.defaults?.custom ?? {}));
  for (const o of panel.fieldConfig?.overrides ?? []) {
    for (const p of o.properties) {
      if (p.id.startsWith('custom.')) {
        custom.add(p.id.slice('custom.'.length));
      }
    }
  }
  for (const path of custom) {
    items.push({
      ...standard(`custom.${path}`, identityOverrideProcessor),
      path,
      isCustom: true,
    } as FieldConfigPropertyItem);
  }
  return new FieldConfigOptionsRegistry(() => items);
}

/**
 * Grafana's variable interpolation for what a panel preview meets: dashboard
 * variables and the `${__value.*}`-style fields of scoped vars (data links). A
 * macro it does not know throws, so that the dashboard cannot come to rely on one
 * the preview never checked.
 */
export function interpolator(variables: Record<string, string>): InterpolateFunction {
  return (text: string, scoped?: ScopedVars) =>
    text.replace(/\$\{([^}]+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
      const name = (braced ?? bare)!.split(':')[0];
      const [head, ...path] = name.split('.');
      if (head in variables && path.length === 0) {
        return variables[head];
      }
      // Grafana's ${__value.*} macro: the value of the data link's cell.
      const ctx = scoped?.__dataContext?.value;
      if (head === '__value' && ctx?.field && ctx.rowIndex !== undefined) {
        const raw = ctx.field.values[ctx.rowIndex];
        const forms: Record<string, unknown> = {
          raw,
          numeric: Number(raw),
          text: ctx.field.display ? ctx.field.display(raw).text : String(raw),
        };
        if (path[0] in forms) {
          return String(forms[path[0]]);
        }
      }
      // Grafana's ${__field.*} and ${__data.fields.*} macros.
      if (head === '__field' && ctx?.field) {
        if (path[0] === 'displayName') {
          return getFieldDisplayName(ctx.field, ctx.frame, ctx.data);
        }
        if (path[0] === 'name') {
          return ctx.field.name;
        }
        if (path[0] === 'labels' && path[1]) {
          return ctx.field.labels?.[path[1]] ?? '';
        }
      }
      if (head === '__data' && path[0] === 'fields' && ctx?.frame && ctx.rowIndex !== undefined) {
        const f = ctx.frame.fields.find(
          (x: Field) => x.name === path[1] || getFieldDisplayName(x, ctx.frame) === path[1]
        );
        if (f) {
          const raw = f.values[ctx.rowIndex];
          return f.display ? f.display(raw).text : String(raw);
        }
      }
      const scopedVar = scoped?.[head];
      if (scopedVar) {
        let v: any = scopedVar.value;
        for (const p of path) {
          v = v?.[p];
        }
        if (v !== undefined) {
          return String(v);
        }
      }
      throw new Error(`the preview does not interpolate ${whole}`);
    });
}

export async function previewPanel(answers: Answers, panel: PanelModel): Promise<PanelView> {
  registerTransformers();
  const answer = answers.panels[String(panel.id)];
  const replaceVariables = interpolator(answers.variables);
  const theme = createTheme();
  let frames = (answer?.frames ?? []).map((f) => dataFrameFromJSON(f));
  if (panel.transformations?.length) {
    frames = await lastValueFrom(transformDataFrame(panel.transformations, frames));
  }
  frames = applyFieldOverrides({
    data: frames,
    fieldConfig: panel.fieldConfig ?? { defaults: {}, overrides: [] },
    fieldConfigRegistry: fieldConfigRegistry(panel),
    replaceVariables,
    theme,
    timeZone: 'utc',
  });
  let values: FieldDisplay[] = [];
  let names: string[] = [];
  if (panel.type === 'stat' || panel.type === 'bargauge') {
    values = getFieldDisplayValues({
      data: frames,
      fieldConfig: panel.fieldConfig!,
      reduceOptions: panel.options?.reduceOptions as ReduceDataOptions,
      // A stat panel with a graph mode draws each value's sparkline, as in Grafana.
      sparkline: panel.type === 'stat' && (panel.options?.graphMode ?? 'area') !== 'none',
      percentChange: panel.type === 'stat' && Boolean(panel.options?.showPercentChange),
      replaceVariables,
      theme,
      timeZone: 'utc',
    });
    names = values.map((v) => v.display.title ?? '');
  } else {
    for (const frame of frames) {
      for (const field of frame.fields) {
        const shownAsAxis =
          field.type === FieldType.time || (panel.type === 'barchart' && field.name === panel.options?.xField);
        if (field.config.custom?.hidden || (shownAsAxis && panel.type !== 'table')) {
          continue;
        }
        names.push(getFieldDisplayName(field, frame, frames));
      }
    }
  }
  const range = answer?.range ?? { from: 0, to: 0 };
  return { panel, frames, values, names, errors: Object.values(answer?.errors ?? {}), range };
}

/** Every panel of the dashboard, rows' panels included, in layout order. */
export function allPanels(answers: Answers): PanelModel[] {
  const out: PanelModel[] = [];
  for (const p of answers.dashboard.panels) {
    out.push(p, ...(p.panels ?? []));
  }
  return out;
}
