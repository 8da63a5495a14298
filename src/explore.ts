import {
  DataFrame,
  DataQueryResponse,
  FieldType,
  LogRowContextOptions,
  LogRowContextQueryDirection,
  LogRowModel,
  QueryFilterOptions,
  QueryFixAction,
  SupplementaryQueryOptions,
  SupplementaryQueryType,
  ToggleFilterAction,
} from '@grafana/data';

import { AgentXQuery, QueryFilters } from './types';

// Explore's conventions around a transcript: filter for / out a line's label, the
// messages around a line, and the volume histogram above the lines.

/** The actions modifyQuery understands: Log details' "filter for value" and "filter out value". */
export const QUERY_MODIFICATIONS = ['ADD_FILTER', 'ADD_FILTER_OUT'];

const without = (list: string[] | undefined, v: string) => list?.filter((x) => x !== v);

function withFilters(q: AgentXQuery, f: QueryFilters): AgentXQuery {
  return { ...q, filters: f };
}

/**
 * A transcript line's labels as filters: `type` is the message type filter,
 * `conversationId` the conversation. `sender` and `userActionType` have no filter
 * in the query model: the query is left as it is.
 */
function filterFor(q: AgentXQuery, key: string, value: string): AgentXQuery {
  const f = q.filters ?? {};
  switch (key) {
    case 'type':
      return withFilters(q, { ...f, types: [value], excludeTypes: without(f.excludeTypes, value) });
    case 'conversationId':
      return withFilters(q, { ...f, conversationId: value });
  }
  return q;
}

function filterOut(q: AgentXQuery, key: string, value: string): AgentXQuery {
  const f = q.filters ?? {};
  if (key === 'type') {
    const types = without(f.types, value);
    const excludeTypes = f.excludeTypes?.includes(value) ? f.excludeTypes : [...(f.excludeTypes ?? []), value];
    return withFilters(q, { ...f, types, excludeTypes });
  }
  if (key === 'conversationId' && f.conversationId === value) {
    // No conversation exclusion exists: filtering out the one conversation shown drops that filter.
    return withFilters(q, { ...f, conversationId: undefined });
  }
  return q;
}

export function modifyQuery(q: AgentXQuery, action: QueryFixAction): AgentXQuery {
  const key = action.options?.key;
  const value = action.options?.value;
  if (key === undefined || value === undefined) {
    return q;
  }
  switch (action.type) {
    case 'ADD_FILTER':
      return filterFor(q, key, value);
    case 'ADD_FILTER_OUT':
      return filterOut(q, key, value);
  }
  return q;
}

/** Whether the query filters for the label's value (Log details shows the filter as active). */
export function queryHasFilter(q: AgentXQuery, filter: QueryFilterOptions): boolean {
  const f = q.filters;
  switch (filter.key) {
    case 'type':
      return !!f?.types?.includes(filter.value);
    case 'conversationId':
      return f?.conversationId === filter.value;
  }
  return false;
}

/** Filter for a value a second time removes it; filter out a value already filtered out removes that. */
export function toggleQueryFilter(q: AgentXQuery, action: ToggleFilterAction): AgentXQuery {
  const { key, value } = action.options;
  const f = q.filters ?? {};
  if (action.type === 'FILTER_FOR') {
    if (queryHasFilter(q, { key, value })) {
      return key === 'type'
        ? withFilters(q, { ...f, types: without(f.types, value) })
        : withFilters(q, { ...f, conversationId: undefined });
    }
    return filterFor(q, key, value);
  }
  if (key === 'type' && f.excludeTypes?.includes(value)) {
    return withFilters(q, { ...f, excludeTypes: without(f.excludeTypes, value) });
  }
  return filterOut(q, key, value);
}

/** How far from a line its conversation's other messages are looked for. */
export const CONTEXT_WINDOW_MS = 24 * 60 * 60 * 1000;
export const DEFAULT_CONTEXT_LINES = 10;

/** The query and time range of a line's context: its conversation's messages before or after it. */
export interface ContextRequest {
  query: AgentXQuery;
  from: number;
  to: number;
  /** lines to keep, the line itself left out */
  lines: number;
  direction: LogRowContextQueryDirection;
}

/**
 * Backward: the newest messages up to the line's time (the transcript's limit keeps
 * the newest); forward: the messages from its time on, cut to the oldest after the
 * read. Both include the line's own millisecond, so a message sent in it is not
 * lost; the line itself is dropped by id.
 */
export function contextRequest(
  row: LogRowModel,
  options?: LogRowContextOptions,
  origin?: AgentXQuery
): ContextRequest | undefined {
  const conversationId = row.labels?.conversationId;
  if (!conversationId) {
    return undefined;
  }
  const lines = options?.limit ?? DEFAULT_CONTEXT_LINES;
  const direction = options?.direction ?? LogRowContextQueryDirection.Backward;
  const t = row.timeEpochMs;
  const backward = direction === LogRowContextQueryDirection.Backward;
  const query: AgentXQuery = {
    refId: `log-context-${row.dataFrame.refId ?? 'A'}-${direction}`,
    queryType: 'transcript',
    bot: origin?.bot,
    filters: { conversationId },
    // Forward reads the rest of the conversation and keeps the oldest: the limit keeps the newest.
    limit: backward ? lines + 1 : 10000,
  };
  return backward
    ? { query, from: t - CONTEXT_WINDOW_MS, to: t + 1, lines, direction }
    : { query, from: t, to: t + CONTEXT_WINDOW_MS, lines, direction };
}

/** The context response: without the line itself, at most `lines` rows nearest to it. */
export function trimContext(res: DataQueryResponse, rowId: string | undefined, req: ContextRequest): DataQueryResponse {
  return { ...res, data: (res.data as DataFrame[]).map((frame) => trimFrame(frame, rowId, req)) };
}

function trimFrame(frame: DataFrame, rowId: string | undefined, req: ContextRequest): DataFrame {
  const ids = frame.fields.find((f) => f.name === 'id')?.values;
  const times = frame.fields.find((f) => f.type === FieldType.time)?.values;
  const length = frame.length ?? frame.fields[0]?.values.length ?? 0;
  let keep: number[] = [];
  for (let i = 0; i < length; i++) {
    const t = Number(times?.[i]);
    const inWindow = times === undefined || (t >= req.from && t < req.to);
    if (inWindow && (rowId === undefined || ids?.[i] !== rowId)) {
      keep.push(i);
    }
  }
  // Rows are oldest first: backward keeps the last ones, forward the first.
  keep = req.direction === LogRowContextQueryDirection.Backward ? keep.slice(-req.lines) : keep.slice(0, req.lines);
  return {
    ...frame,
    length: keep.length,
    fields: frame.fields.map((f) => ({ ...f, values: keep.map((i) => f.values[i]) })),
  };
}

/** The log volume above a transcript: its messages per bucket, by message type, under the same filters. */
export function supplementaryQuery(options: SupplementaryQueryOptions, q: AgentXQuery): AgentXQuery | undefined {
  if (options.type !== SupplementaryQueryType.LogsVolume || q.queryType !== 'transcript') {
    return undefined;
  }
  return {
    refId: `log-volume-${q.refId}`,
    datasource: q.datasource,
    queryType: 'messageVolume',
    bot: q.bot,
    groupBy: 'type',
    filters: q.filters,
  };
}
