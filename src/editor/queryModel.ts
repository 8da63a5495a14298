import { AgentXQuery, GroupBy, QueryType, Stat, ValuesField } from '../types';

/** Which parts of the query model each query type uses (the contract's "used by"). */
export const TIME_SERIES: QueryType[] = ['conversationVolume', 'messageVolume', 'tagRate', 'userMessages'];
export const TABLES: QueryType[] = ['conversations', 'messages', 'transcript', 'conversationCounts', 'values'];
const CONVERSATION_ID: QueryType[] = ['messages', 'messageVolume', 'transcript'];

export const uses = {
  groupBy: (t?: QueryType) => !!t && (TIME_SERIES.includes(t) || t === 'conversationCounts'),
  tag: (t?: QueryType) => t === 'tagRate',
  stat: (t?: QueryType) => t === 'userMessages',
  bucket: (t?: QueryType) => !!t && TIME_SERIES.includes(t),
  field: (t?: QueryType) => t === 'values',
  limit: (t?: QueryType) => !!t && TABLES.includes(t),
  conversationId: (t?: QueryType) => !!t && CONVERSATION_ID.includes(t),
  filters: (t?: QueryType) => !!t,
};

export const GROUP_BY_OPTIONS: Array<{ value: GroupBy; label: string; description: string }> = [
  { value: '', label: 'None', description: 'One series' },
  { value: 'tag', label: 'Tag', description: 'One per tag; a conversation counts in each of its tags' },
  { value: 'locale', label: 'Locale', description: 'One per locale' },
  { value: 'metadata', label: 'Metadata', description: 'One per value of a metadata key' },
  { value: 'type', label: 'Message type', description: 'One per message type (message volume only)' },
];

export const STAT_OPTIONS: Array<{ value: Stat; label: string }> = [
  { value: 'avg', label: 'avg' },
  { value: 'sum', label: 'sum' },
  { value: 'p50', label: 'p50' },
  { value: 'p90', label: 'p90' },
  { value: 'max', label: 'max' },
];

export const FIELD_OPTIONS: Array<{ value: ValuesField; label: string }> = [
  { value: 'bot', label: 'Bots' },
  { value: 'tag', label: 'Tags' },
  { value: 'locale', label: 'Locales' },
  { value: 'metadataKey', label: 'Metadata keys' },
  { value: 'metadataValue', label: 'Metadata values' },
  { value: 'messageType', label: 'Message types' },
];

/** groupBy choices for a query type: message type only makes sense for messages. */
export function groupByOptions(t?: QueryType) {
  return GROUP_BY_OPTIONS.filter((o) => o.value !== 'type' || t === 'messageVolume');
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
    const n = Number(limit);
    out.limit = Number.isFinite(n) && n > 0 ? n : undefined;
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
