import { AgentXQuery, GroupBy, QueryParam, QueryType } from '../types';
import { GROUP_BY_OPTIONS, QUERY_TYPE_ORDER, QUERY_TYPE_SPECS, STAT_OPTIONS } from '../generated/queryModel';

export { FIELD_OPTIONS, GROUP_BY_OPTIONS, QUERY_DEFAULTS, STAT_OPTIONS } from '../generated/queryModel';

/** The types that answer with time series, the only ones alert rules evaluate. */
export const TIME_SERIES: QueryType[] = QUERY_TYPE_ORDER.filter((t) => QUERY_TYPE_SPECS[t].kind === 'series');

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

/**
 * The query with another type: what the new type does not use is dropped, so a
 * setting left from the old type (groupBy "type" from message volume, stat "sum"
 * from user messages, a conversation id) cannot make the new query fail.
 */
export function switchType(q: AgentXQuery, t: QueryType): AgentXQuery {
  const spec = QUERY_TYPE_SPECS[t];
  const { groupBy, metadataKey, tag, stat, bucket, timeShift, timezone, field, limit, filters, ...common } = q;
  const out: AgentXQuery = { ...common, queryType: t };
  const keep = <K extends keyof AgentXQuery>(key: K, value: AgentXQuery[K], ok: boolean) => {
    if (value !== undefined && ok) {
      out[key] = value;
    }
  };
  keep('groupBy', groupBy, spec.uses.includes('groupBy') && (groupBy === '' || spec.groupBy.includes(groupBy!)));
  keep('tag', tag, spec.uses.includes('tag'));
  keep('stat', stat, spec.uses.includes('stat') && spec.stats.includes(stat!));
  keep('bucket', bucket, spec.uses.includes('bucket'));
  keep('timeShift', timeShift, spec.kind === 'series');
  keep('timezone', timezone, spec.kind === 'series');
  keep('field', field, spec.uses.includes('field'));
  keep('limit', limit, spec.uses.includes('limit'));
  keep('metadataKey', metadataKey, out.groupBy === 'metadata' || out.field === 'metadataValue');
  if (filters) {
    const { conversationId, types, excludeTypes, ...rest } = filters;
    const kept: typeof filters =
      spec.uses.includes('conversationId') && conversationId ? { ...rest, conversationId } : rest;
    // A message type filter only applies where messages are read (a values query lists their types).
    if (spec.reads === 'messages' || spec.uses.includes('field')) {
      Object.assign(kept, types && { types }, excludeTypes && { excludeTypes });
    }
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
