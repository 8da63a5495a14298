import { CoreApp } from '@grafana/data';

import { AgentXQuery, QueryType } from '../types';
import { QUERY_TYPE_SPECS } from '../generated/queryModel';
import { TIME_SERIES, uses } from './queryModel';

/**
 * What is wrong with a query before it runs, by the editor field that shows it. The
 * editor shows each message at its field and does not run a query that has any: an
 * incomplete query would only come back as an error, or, worse, as a different query.
 */
export interface Problems {
  queryType?: string;
  metadataKey?: string;
  bucket?: string;
  timeShift?: string;
  limit?: string;
  /** metadata filter rows by index */
  metadata?: Record<number, string>;
}

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
export function allowedTypes(app?: CoreApp | string): QueryType[] {
  const alerting = app === CoreApp.UnifiedAlerting || app === CoreApp.CloudAlerting;
  return (Object.keys(QUERY_TYPE_SPECS) as QueryType[]).filter(
    (t) => t !== 'values' && (!alerting || TIME_SERIES.includes(t))
  );
}

export function queryProblems(q: AgentXQuery, app?: CoreApp | string): Problems {
  const p: Problems = {};
  const t = q.queryType;
  if (!t) {
    p.queryType = 'Pick a query type';
  } else if (t === 'values') {
    p.queryType = 'Values lists choices for template variables; use it in a variable, and pick another type here';
  } else if (!allowedTypes(app).includes(t)) {
    p.queryType = `Alert rules evaluate time series; pick one of: ${TIME_SERIES.map((x) => QUERY_TYPE_SPECS[x].label).join(', ')}`;
  }
  const needsKey = (uses.groupBy(t) && q.groupBy === 'metadata') || (uses.field(t) && q.field === 'metadataValue');
  if (needsKey && !q.metadataKey?.trim()) {
    p.metadataKey = 'Pick the metadata key';
  }
  if (uses.bucket(t)) {
    p.bucket = bucketProblem(q.bucket);
    p.timeShift = timeShiftProblem(q.timeShift);
  }
  if (uses.limit(t) && q.limit !== undefined && (!Number.isInteger(q.limit) || q.limit < 1)) {
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
  !p.queryType && !p.metadataKey && !p.bucket && !p.timeShift && !p.limit && Object.keys(p.metadata ?? {}).length === 0;
