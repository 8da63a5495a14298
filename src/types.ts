import { DataSourceJsonData } from '@grafana/data';
import { DataQuery } from '@grafana/schema';

/** Query types of the plugin's contract, as saved in dashboards and alert rules. */
export type QueryType =
  | 'conversations'
  | 'messages'
  | 'transcript'
  | 'conversationVolume'
  | 'messageVolume'
  | 'conversationCounts'
  | 'tagRate'
  | 'userMessages'
  | 'userMessageHistogram'
  | 'values';

export type GroupBy = '' | 'tag' | 'locale' | 'metadata' | 'type';
export type Stat = 'sum' | 'avg' | 'p50' | 'p90' | 'max';
export type ValuesField = 'tag' | 'locale' | 'bot' | 'metadataKey' | 'metadataValue' | 'messageType';

export interface MetadataFilter {
  key: string;
  op: '=' | '!=';
  value: string;
}

export interface QueryFilters {
  tags?: string[];
  excludeTags?: string[];
  locales?: string[];
  metadata?: MetadataFilter[];
  conversationId?: string;
}

export interface AgentXQuery extends DataQuery {
  queryType?: QueryType;
  bot?: string;
  groupBy?: GroupBy;
  metadataKey?: string;
  tag?: string;
  stat?: Stat;
  bucket?: string;
  filters?: QueryFilters;
  field?: ValuesField;
  limit?: number;
}

export const DEFAULT_QUERY: Partial<AgentXQuery> = {
  queryType: 'conversations',
  limit: 10000,
};

export interface QueryTypeInfo {
  value: QueryType;
  label: string;
  description: string;
}

export const QUERY_TYPES: QueryTypeInfo[] = [
  { value: 'conversations', label: 'Conversations', description: 'Table: one row per conversation' },
  { value: 'messages', label: 'Messages', description: 'Table: one row per message' },
  { value: 'transcript', label: 'Transcript', description: 'Messages as logs, for Explore' },
  { value: 'conversationVolume', label: 'Conversation volume', description: 'Time series: conversations started' },
  { value: 'messageVolume', label: 'Message volume', description: 'Time series: messages sent' },
  { value: 'conversationCounts', label: 'Conversation counts', description: 'Table: conversations per group' },
  { value: 'tagRate', label: 'Tag rate', description: 'Time series: percent of conversations with a tag' },
  { value: 'userMessages', label: 'User messages', description: 'Time series: statistic of user messages' },
  {
    value: 'userMessageHistogram',
    label: 'User message histogram',
    description: 'Table: conversations per user message count',
  },
  { value: 'values', label: 'Values', description: 'Distinct values, for template variables' },
];

/** jsonData of the data source, as the contract names it. */
export interface AgentXOptions extends DataSourceJsonData {
  baseUrl?: string;
  defaultBot?: string;
  bots?: string[];
  requestsPerSecond?: number;
  timeoutSeconds?: number;
  maxRecords?: number;
  liveMinutes?: number;
  cacheMinutes?: number;
  liveReuseSeconds?: number;
  finalHours?: number;
  /** redis:// or rediss:// URL shared by the replicas of an HA Grafana; no password in it. */
  redisUrl?: string;
  /** Divides requestsPerSecond among the replicas while Redis cannot be reached. */
  expectedReplicas?: number;
}

/** Only ever sent to the backend; Grafana returns just whether each is set. */
export interface AgentXSecureJsonData {
  apiKey?: string;
  redisPassword?: string;
}

export const DEFAULT_BASE_URL = 'https://api.converseapps.com';
