import { AgentXQuery, GroupBy, QueryParam, QueryType } from '../types';
import {
  GROUP_BY_OPTIONS,
  KeptPart,
  QUERY_TYPE_ORDER,
  QUERY_TYPE_SPECS,
  QueryNeed,
  QueryTypeSpec,
  STAT_OPTIONS,
} from '../generated/queryModel';

export { FIELD_OPTIONS, GROUP_BY_OPTIONS, QUERY_DEFAULTS, STAT_OPTIONS } from '../generated/queryModel';

/**
 * The registry's entries by type. The functions below read the generated table;
 * a test hands them its own, with a type the registry does not have.
 */
export type Specs = Record<string, QueryTypeSpec>;

/** The types that answer with time series, the only ones alert rules evaluate. */
export const TIME_SERIES: QueryType[] = QUERY_TYPE_ORDER.filter((t) => QUERY_TYPE_SPECS[t].kind === 'series');

/** The types an alert rule may use, in the registry's order. */
export function alertTypes(specs: Specs = QUERY_TYPE_SPECS): QueryType[] {
  return (Object.keys(specs) as QueryType[]).filter((t) => specs[t].alerting);
}

const reads = (p: QueryParam) => (t?: QueryType) => !!t && QUERY_TYPE_SPECS[t].uses.includes(p);

/** Which parts of the query model each query type uses, from the registry. */
export const uses = {
  groupBy: reads('groupBy'),
  tag: reads('tag'),
  stat: reads('stat'),
  bucket: reads('bucket'),
  field: reads('field'),
  limit: reads('limit'),
  conversationId: reads('conversationId'),
  filters: (t?: QueryType) => !!t,
};

/** A parameter's value as the query gives it. */
function valueOf(q: AgentXQuery, p: QueryParam): unknown {
  return p === 'conversationId' ? q.filters?.conversationId : q[p];
}

/** A need holds always, or while its parameter has its value (groupBy metadata). */
const holds = (n: QueryNeed, q: AgentXQuery) => !n.when || valueOf(q, n.when) === n.is;

/** Whether the editor shows a parameter's field: the query's type uses it, or needs it now. */
export function shows(p: QueryParam, q: AgentXQuery, specs: Specs = QUERY_TYPE_SPECS): boolean {
  const spec = q.queryType ? specs[q.queryType] : undefined;
  return !!spec && (spec.uses.includes(p) || spec.needs.some((n) => n.param === p && holds(n, q)));
}

/** The parameters the query must give and does not: its type's needs that hold, left empty. */
export function missing(q: AgentXQuery, specs: Specs = QUERY_TYPE_SPECS): QueryParam[] {
  const spec = q.queryType ? specs[q.queryType] : undefined;
  const empty = (p: QueryParam) => String(valueOf(q, p) ?? '').trim() === '';
  return (spec?.needs ?? []).filter((n) => holds(n, q) && empty(n.param)).map((n) => n.param);
}

/**
 * The query with another type: what the new type does not keep (the registry's
 * keeps) is dropped, so a setting left from the old type (groupBy "type" from
 * message volume, stat "sum" from user messages, a conversation id) cannot make
 * the new query fail.
 */
export function switchType(q: AgentXQuery, t: QueryType, specs: Specs = QUERY_TYPE_SPECS): AgentXQuery {
  const spec = specs[t];
  const keeps = (part: KeptPart) => spec.keeps.includes(part);
  const { groupBy, metadataKey, tag, stat, bucket, timeShift, timezone, field, limit, filters, ...common } = q;
  const out: AgentXQuery = { ...common, queryType: t };
  const keep = <K extends keyof AgentXQuery & KeptPart>(key: K, value: AgentXQuery[K], ok = true) => {
    if (value !== undefined && ok && keeps(key)) {
      out[key] = value;
    }
  };
  keep('groupBy', groupBy, groupBy === '' || spec.groupBy.includes(groupBy!));
  keep('tag', tag);
  keep('stat', stat, spec.stats.includes(stat!));
  keep('bucket', bucket);
  keep('timeShift', timeShift);
  keep('timezone', timezone);
  keep('field', field);
  keep('limit', limit);
  // A need's parameter stays while the need holds on what is kept (groupBy metadata, say).
  const needed = spec.needs.some((n) => n.param === 'metadataKey' && holds(n, out));
  if (metadataKey !== undefined && (keeps('metadataKey') || needed)) {
    out.metadataKey = metadataKey;
  }
  if (filters) {
    const { conversationId, types, excludeTypes, ...rest } = filters;
    const kept: typeof filters = keeps('filters.conversationId') && conversationId ? { ...rest, conversationId } : rest;
    // A message type filter only applies where messages are read (a values query lists their types).
    Object.assign(
      kept,
      keeps('filters.types') && types && { types },
      keeps('filters.excludeTypes') && excludeTypes && { excludeTypes }
    );
    out.filters = kept;
  }
  return out;
}

/** stat choices for a query type: the statistics it accepts (no sum of durations). */
export function statOptions(t?: QueryType) {
  const accepted = t ? QUERY_TYPE_SPECS[t].stats : [];
  return STAT_OPTIONS.filter((o) => accepted.includes(o.value));
}

/** groupBy choices for a query type: none, and the groupings the type accepts. */
export function groupByOptions(t?: QueryType) {
  const accepted: GroupBy[] = t ? QUERY_TYPE_SPECS[t].groupBy : [];
  return GROUP_BY_OPTIONS.filter((o) => o.value === '' || accepted.includes(o.value));
}

type LegacyQuery = Omit<AgentXQuery, 'filters' | 'limit' | 'groupBy'> & {
  filters?: Omit<NonNullable<AgentXQuery['filters']>, 'tags' | 'excludeTags' | 'locales'> & {
    tags?: string[] | string;
    excludeTags?: string[] | string;
    locales?: string[] | string;
  };
  limit?: number | string;
  groupBy?: GroupBy | 'none';
};

const asList = (v?: string[] | string) =>
  v === undefined
    ? undefined
    : Array.isArray(v)
      ? v
      : v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);

/**
 * Brings a saved query to the current model: hand-written or provisioned queries may
 * carry filters as comma-separated text, a limit as text, or groupBy "none".
 */
export function migrateQuery(q: LegacyQuery): AgentXQuery {
  const { groupBy, limit, filters, ...rest } = q;
  const out: AgentXQuery = { ...rest };
  if (groupBy !== undefined) {
    out.groupBy = groupBy === 'none' ? '' : groupBy;
  }
  if (typeof limit === 'string') {
    // Text that is no number is kept: the backend then names it, here as in an alert
    // rule (which no browser migrates), instead of the panel quietly using the default.
    const n = Number(limit);
    out.limit = limit.trim() === '' ? undefined : Number.isFinite(n) ? n : (limit as unknown as number);
  } else if (limit !== undefined) {
    out.limit = limit;
  }
  if (filters) {
    out.filters = {
      ...filters,
      tags: asList(filters.tags),
      excludeTags: asList(filters.excludeTags),
      locales: asList(filters.locales),
    };
  }
  return out;
}
