// The state of the provisioned alert rules at one evaluation, as Grafana's alerting
// would compute it from the rules' data queries (answered by pkg/cmd/preview): the
// rule's reduce and threshold expressions, its no-data and error states, and its
// pending period. What the preview cannot evaluate faithfully (another expression
// type, a recovery threshold, NaN) is an error, never a guess.
import { DataFrame, DataFrameJSON, dataFrameFromJSON, Field, FieldType } from '@grafana/data';

export interface RuleQueryAnswer {
  refId: string;
  datasourceUid: string;
  relativeTimeRange: { from: number; to: number };
  model: Record<string, any>;
  frames?: DataFrameJSON[];
  error?: string;
}

export interface RuleAnswer {
  uid: string;
  title: string;
  folder: string;
  group: string;
  condition: string;
  for: string;
  noDataState: string;
  execErrState: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  data: RuleQueryAnswer[];
}

export type AlertState = 'Normal' | 'Pending' | 'Firing' | 'NoData' | 'Error';

export interface AlertInstance {
  labels: Record<string, string>;
  state: AlertState;
  /** the condition's value, when there is one */
  value?: number;
  error?: string;
}

export interface RuleState {
  rule: RuleAnswer;
  state: AlertState;
  instances: AlertInstance[];
}

const EXPRESSIONS = '__expr__';

/** One labelled series or number, what Grafana's server-side expressions work on. */
interface Labelled {
  labels: Record<string, string>;
  values: Array<number | null>;
}

type Result =
  | { kind: 'series'; items: Labelled[] }
  | { kind: 'numbers'; items: Array<{ labels: Record<string, string>; value: number }> };

export function evaluateRule(rule: RuleAnswer): RuleState {
  const results = new Map<string, Result>();
  const base = rule.labels ?? {};
  const pending = durationSeconds(rule.for) > 0;
  const alerting = (): AlertState => (pending ? 'Pending' : 'Firing');

  // A query that failed: the rule takes its execution error state.
  const failed = rule.data.find((d) => d.datasourceUid !== EXPRESSIONS && d.error);
  if (failed) {
    const labels = { ...base, ref_id: failed.refId, datasource_uid: failed.datasourceUid };
    const state = mapState(rule.execErrState, 'execErrState', alerting);
    return finish(rule, [{ labels, state, error: failed.error }]);
  }
  for (const d of rule.data) {
    if (d.datasourceUid === EXPRESSIONS) {
      results.set(d.refId, expression(d.model, results));
    } else {
      results.set(d.refId, { kind: 'series', items: seriesOf((d.frames ?? []).map((f) => dataFrameFromJSON(f))) });
    }
  }
  // No series from any query: the rule takes its no-data state.
  const queries = rule.data.filter((d) => d.datasourceUid !== EXPRESSIONS);
  if (queries.every((d) => (results.get(d.refId) as { items: unknown[] }).items.length === 0)) {
    const labels = {
      ...base,
      datasource_uid: queries[0]?.datasourceUid ?? '',
      ref_id: queries.map((q) => q.refId).join(','),
    };
    return finish(rule, [{ labels, state: mapState(rule.noDataState, 'noDataState', alerting) }]);
  }
  const condition = results.get(rule.condition);
  if (!condition) {
    throw new Error(`rule "${rule.title}": its condition ${rule.condition} is none of its queries or expressions`);
  }
  if (condition.kind !== 'numbers') {
    throw new Error(
      `rule "${rule.title}": its condition ${rule.condition} is a series; Grafana needs one number per label set`
    );
  }
  const instances = condition.items.map(({ labels, value }): AlertInstance => {
    if (Number.isNaN(value)) {
      throw new Error(
        `rule "${rule.title}": the condition is NaN for ${JSON.stringify(labels)}, which the preview does not decide`
      );
    }
    return { labels: { ...base, ...labels }, value, state: value !== 0 ? alerting() : 'Normal' };
  });
  return finish(rule, instances);
}

function finish(rule: RuleAnswer, instances: AlertInstance[]): RuleState {
  const order: AlertState[] = ['Firing', 'Pending', 'Error', 'NoData', 'Normal'];
  const state = order.find((s) => instances.some((i) => i.state === s)) ?? 'Normal';
  return { rule, state, instances };
}

/** What noDataState or execErrState make of a first evaluation (KeepLast has no earlier state to keep). */
function mapState(setting: string, name: 'noDataState' | 'execErrState', alerting: () => AlertState): AlertState {
  const own: AlertState = name === 'noDataState' ? 'NoData' : 'Error';
  switch (setting) {
    case 'Alerting':
      return alerting();
    case 'OK':
    case 'KeepLast':
      return 'Normal';
    case own:
      return own;
    default:
      throw new Error(`${name} ${JSON.stringify(setting)} is not one the preview knows`);
  }
}

/**
 * A data source's frames as Grafana's expressions read them: every number field of
 * a frame with a time field is a series with the field's labels; a frame without
 * one is a numeric table, one number per row, labelled by its string columns.
 */
function seriesOf(frames: DataFrame[]): Labelled[] {
  const out: Labelled[] = [];
  for (const frame of frames) {
    if (frame.length === 0) {
      continue;
    }
    const numbers = frame.fields.filter((f) => f.type === FieldType.number);
    if (frame.fields.some((f) => f.type === FieldType.time)) {
      for (const f of numbers) {
        out.push({ labels: { ...(f.labels ?? {}) }, values: f.values.map(num) });
      }
      continue;
    }
    if (numbers.length !== 1) {
      throw new Error(`a table frame with ${numbers.length} number columns: Grafana's expressions need exactly one`);
    }
    const strings = frame.fields.filter((f) => f.type === FieldType.string);
    for (let i = 0; i < frame.length; i++) {
      const labels = Object.fromEntries(strings.map((s: Field) => [s.name, String(s.values[i])]));
      out.push({ labels, values: [num(numbers[0].values[i])] });
    }
  }
  return out;
}

function num(v: unknown): number | null {
  return v === null || v === undefined ? null : Number(v);
}

function expression(model: Record<string, any>, results: Map<string, Result>): Result {
  const input = (ref: string) => {
    const r = results.get(String(ref).replace(/^\$/, ''));
    if (!r) {
      throw new Error(`expression ${model.refId} reads ${ref}, which comes later or not at all`);
    }
    return r;
  };
  switch (model.type) {
    case 'reduce': {
      const r = input(model.expression);
      if (r.kind !== 'series') {
        throw new Error(`reduce ${model.refId}: its input ${model.expression} is already reduced`);
      }
      return {
        kind: 'numbers',
        items: r.items.map((s) => ({ labels: s.labels, value: reduce(s.values, model.reducer, model.settings) })),
      };
    }
    case 'threshold': {
      const r = input(model.expression);
      if (r.kind !== 'numbers') {
        throw new Error(`threshold ${model.refId}: the preview compares numbers, and ${model.expression} is a series`);
      }
      const conditions = model.conditions ?? [];
      if (conditions.length !== 1 || conditions[0].unloadEvaluator) {
        throw new Error(`threshold ${model.refId}: the preview evaluates one condition without a recovery threshold`);
      }
      const test = comparison(conditions[0].evaluator);
      return {
        kind: 'numbers',
        items: r.items.map((n) => ({ labels: n.labels, value: Number.isNaN(n.value) ? NaN : test(n.value) ? 1 : 0 })),
      };
    }
    default:
      throw new Error(
        `expression ${model.refId}: the preview does not evaluate expressions of type ${JSON.stringify(model.type)}`
      );
  }
}

/** Grafana's reducers and their modes: strict (any non-number gives NaN), dropNN, replaceNN. */
export function reduce(
  values: Array<number | null>,
  reducer: string,
  settings?: { mode?: string; replaceWithValue?: number }
): number {
  const mode = settings?.mode ?? '';
  const isNumber = (v: number | null): v is number => v !== null && Number.isFinite(v);
  let vs: Array<number | null> = values;
  if (mode === 'dropNN') {
    vs = values.filter(isNumber);
  } else if (mode === 'replaceNN') {
    if (typeof settings?.replaceWithValue !== 'number') {
      throw new Error('reduce mode replaceNN without a number to replace with');
    }
    vs = values.map((v) => (isNumber(v) ? v : settings.replaceWithValue!));
  } else if (mode !== '' && mode !== 'strict') {
    throw new Error(`reduce mode ${JSON.stringify(mode)} is not one the preview knows`);
  }
  if (reducer === 'count') {
    return vs.length;
  }
  if (vs.some((v) => v === null || Number.isNaN(v))) {
    return NaN;
  }
  const ns = vs as number[];
  if (ns.length === 0) {
    throw new Error(`reduce ${reducer} of an empty series, which the preview does not decide`);
  }
  switch (reducer) {
    case 'sum':
      return ns.reduce((a, b) => a + b, 0);
    case 'mean':
      return ns.reduce((a, b) => a + b, 0) / ns.length;
    case 'min':
      return Math.min(...ns);
    case 'max':
      return Math.max(...ns);
    case 'last':
      return ns[ns.length - 1];
    default:
      throw new Error(`reducer ${JSON.stringify(reducer)} is not one the preview knows`);
  }
}

function comparison(evaluator: { type: string; params: number[] }): (v: number) => boolean {
  const [a, b] = evaluator?.params ?? [];
  switch (evaluator?.type) {
    case 'gt':
      return (v) => v > a;
    case 'lt':
      return (v) => v < a;
    case 'gte':
      return (v) => v >= a;
    case 'lte':
      return (v) => v <= a;
    case 'eq':
      return (v) => v === a;
    case 'ne':
      return (v) => v !== a;
    // Ranges as Grafana writes them: the first parameter is the lower bound.
    case 'within_range':
      return (v) => v > a && v < b;
    case 'outside_range':
      return (v) => v < a || v > b;
    case 'within_range_included':
      return (v) => v >= a && v <= b;
    case 'outside_range_included':
      return (v) => v <= a || v >= b;
    default:
      throw new Error(`threshold evaluator ${JSON.stringify(evaluator?.type)} is not one the preview knows`);
  }
}

/** A rule's `for`, as Grafana writes durations: 0s, 15m, 1h30m. */
export function durationSeconds(text: string): number {
  if (!text) {
    return 0;
  }
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400, w: 604800 };
  let total = 0;
  const rest = text.replace(/(\d+(?:\.\d+)?)(ms|s|m|h|d|w)/g, (_, n: string, u: string) => {
    total += Number(n) * units[u];
    return '';
  });
  if (rest !== '') {
    throw new Error(`duration ${JSON.stringify(text)} is not one the preview reads`);
  }
  return total;
}
