import { CoreApp } from '@grafana/data';

import { AgentXQuery, QueryParam, QueryType } from '../types';
import { QUERY_TYPE_SPECS } from '../generated/queryModel';
import { alertTypes, missing, Specs } from './queryModel';

/**
 * What is wrong with a query before it runs, by the editor field that shows it. The
 * editor shows each message at its field and does not run a query that has any: an
 * incomplete query would only come back as an error, or, worse, as a different query.
 */
export type Problems = Partial<Record<QueryParam | 'queryType' | 'timeShift', string>> & {
  /** metadata filter rows by index */
  metadata?: Record<number, string>;
};

/** What the editor asks for when a query's type needs a parameter it left empty. */
const ASK: Record<QueryParam, string> = {
  groupBy: 'Pick a grouping',
  tag: 'Pick a tag',
  stat: 'Pick a statistic',
  bucket: 'Write a bucket',
  field: 'Pick what to list',
  limit: 'Write a limit',
  conversationId: 'Pick a conversation',
  metadataKey: 'Pick the metadata key',
};

/** A template variable stands for a value only the dashboard knows: it is not checked here. */
const isVariable = (s: string) => /^\$(\w+|\{[^}]+\})$/.test(s.trim());

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400, w: 604800 };

/** Seconds of a duration in Grafana's syntax as the backend reads it (15m, 1h, 7d); undefined when it is not one. */
function durationSeconds(s: string): number | undefined {
  const m = s.trim().match(/^(\d+)(s|m|h|d|w)$/);
  return m ? Number(m[1]) * UNIT_SECONDS[m[2]] : undefined;
}

/** The backend's bucket rule (pkg/query/parse.go): a duration from 1m to 7d in whole seconds, or "range". */
export function bucketProblem(bucket?: string): string | undefined {
  if (!bucket || bucket === 'range' || isVariable(bucket)) {
    return undefined;
  }
  const seconds = durationSeconds(bucket);
  if (seconds === undefined) {
    return 'Write a duration like 15m, 1h or 1d, "range" for one bucket over the whole range, or leave it empty';
  }
  if (seconds < 60 || seconds > 7 * 86400) {
    return 'A bucket is 1m to 7d';
  }
  return undefined;
}

/** The backend's time shift rule: a duration from 0 to 366d in whole seconds. */
export function timeShiftProblem(shift?: string): string | undefined {
  if (!shift || isVariable(shift)) {
    return undefined;
  }
  const seconds = durationSeconds(shift);
  if (seconds === undefined || seconds > 366 * 86400) {
    return 'Write how much earlier, like 1d or 7d (at most 366d), or leave it empty';
  }
  return undefined;
}

/** Where the editor runs, which decides which query types can answer there. */
export function allowedTypes(app?: CoreApp | string, specs: Specs = QUERY_TYPE_SPECS): QueryType[] {
  const alerting = app === CoreApp.UnifiedAlerting || app === CoreApp.CloudAlerting;
  return (Object.keys(specs) as QueryType[]).filter((t) => !specs[t].variablesOnly && (!alerting || specs[t].alerting));
}

export function queryProblems(q: AgentXQuery, app?: CoreApp | string, specs: Specs = QUERY_TYPE_SPECS): Problems {
  const p: Problems = {};
  const t = q.queryType;
  const spec = t ? specs[t] : undefined;
  if (!t) {
    p.queryType = 'Pick a query type';
  } else if (spec?.variablesOnly) {
    p.queryType = `${spec.label} lists choices for template variables; use it in a variable, and pick another type here`;
  } else if (!allowedTypes(app, specs).includes(t)) {
    const labels = alertTypes(specs).map((x) => specs[x].label);
    p.queryType = `Alert rules evaluate time series; pick one of: ${labels.join(', ')}`;
  }
  for (const param of missing(q, specs)) {
    p[param] = ASK[param];
  }
  const reads = (param: QueryParam) => !!spec?.uses.includes(param);
  if (reads('bucket')) {
    p.bucket = bucketProblem(q.bucket);
    p.timeShift = timeShiftProblem(q.timeShift);
  }
  if (reads('limit') && q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 1)) {
    p.limit = 'A whole number of rows, 1 or more, or empty for 10000';
  }
  (q.filters?.metadata ?? []).forEach((m, i) => {
    if (!m.key?.trim()) {
      p.metadata = { ...p.metadata, [i]: 'Pick a metadata key, or remove this filter' };
    }
  });
  return p;
}

export const isRunnable = (p: Problems) =>
  Object.entries(p).every(([key, v]) => (key === 'metadata' ? Object.keys(v ?? {}).length === 0 : !v));
