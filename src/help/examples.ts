import { QUERY_TYPE_ORDER, QUERY_TYPE_SPECS } from '../generated/queryModel';
import { AgentXQuery, QueryType } from '../types';

/** One example a query type (its registry entry's), as the query help shows it: what it answers, and the query. */
export interface QueryExample {
  type: QueryType;
  label: string;
  description: string;
  /** what the example asks, in a user's words */
  title: string;
  query: Omit<AgentXQuery, 'refId'>;
}

export const QUERY_EXAMPLES: QueryExample[] = QUERY_TYPE_ORDER.map((type) => ({
  type,
  label: QUERY_TYPE_SPECS[type].label,
  description: QUERY_TYPE_SPECS[type].description,
  title: QUERY_TYPE_SPECS[type].example.title,
  // The registry's example, which a Go test parses as a query.
  query: { queryType: type, ...(QUERY_TYPE_SPECS[type].example.query as Omit<AgentXQuery, 'refId' | 'queryType'>) },
}));
