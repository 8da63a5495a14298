import { DataQuery } from '@grafana/schema';

import {
  GroupBy,
  QUERY_DEFAULTS,
  QUERY_TYPE_ORDER,
  QUERY_TYPE_SPECS,
  QueryType,
  Stat,
  ValuesField,
} from './generated/queryModel';

// Names, choices and defaults of the query model come from the Go registry
// (pkg/query/registry.go) through the generated file.
export type { GroupBy, QueryKind, QueryParam, QueryType, Stat, ValuesField } from './generated/queryModel';

export interface MetadataFilter {
  key: string;
  op: '=' | '!=';
  value: string;
}

export interface QueryFilters {
  tags?: string[];
  excludeTags?: string[];
  locales?: string[];
  /** the conversation's locale ((none): missing or empty) is none of these */
  excludeLocales?: string[];
  metadata?: MetadataFilter[];
  conversationId?: string;
  /** messages only: the message's type is one of these */
  types?: string[];
  /** messages only: the message's type is none of these */
  excludeTypes?: string[];
}

export interface AgentXQuery extends DataQuery {
  queryType?: QueryType;
  /** one bot, several, or `__all__` (every configured bot); empty: the default bot */
  bot?: string | string[];
  groupBy?: GroupBy;
  metadataKey?: string;
  tag?: string;
  stat?: Stat;
  bucket?: string;
  /** time series: read this much earlier, shown at the query's own times (1h…366d) */
  timeShift?: string;
  /** time series: IANA zone (or UTC) the buckets follow; empty follows the dashboard's (UTC in alert rules) */
  timezone?: string;
  filters?: QueryFilters;
  field?: ValuesField;
  limit?: number;
}

export const DEFAULT_QUERY: Partial<AgentXQuery> = {
  queryType: 'conversations',
  limit: QUERY_DEFAULTS.limit,
};

export interface QueryTypeInfo {
  value: QueryType;
  label: string;
  description: string;
}

export const QUERY_TYPES: QueryTypeInfo[] = QUERY_TYPE_ORDER.map((value) => ({
  value,
  label: QUERY_TYPE_SPECS[value].label,
  description: QUERY_TYPE_SPECS[value].description,
}));

// The data source settings (keys, labels, ranges, defaults) come from the Go
// table (pkg/settings/fields.go) through the generated file.
export type { AgentXOptions, AgentXSecureJsonData } from './generated/settings';
export { DEFAULT_BASE_URL } from './generated/settings';
