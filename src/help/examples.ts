import { QUERY_TYPE_ORDER, QUERY_TYPE_SPECS } from '../generated/queryModel';
import { AgentXQuery, QueryType } from '../types';

/** One example a query type, as the query help shows it: what it answers, and the query. */
export interface QueryExample {
  type: QueryType;
  label: string;
  description: string;
  /** what the example asks, in a user's words */
  title: string;
  query: Omit<AgentXQuery, 'refId'>;
}

// Every query type has one: a type added to the registry does not compile until it gets one.
const EXAMPLES: Record<QueryType, { title: string; query: Omit<AgentXQuery, 'refId' | 'queryType'> }> = {
  conversations: {
    title: 'The newest 100 conversations tagged liveChat',
    query: { filters: { tags: ['liveChat'] }, limit: 100 },
  },
  messages: { title: "One conversation's messages", query: { filters: { conversationId: '<conversation id>' } } },
  transcript: {
    title: 'What users typed, as log lines for Explore',
    query: { filters: { types: ['UserInput'] }, limit: 1000 },
  },
  conversationVolume: {
    title: 'Conversations started per hour, per locale',
    query: { groupBy: 'locale', bucket: '1h' },
  },
  messageVolume: { title: 'Messages per day, per message type', query: { groupBy: 'type', bucket: '1d' } },
  conversationCounts: { title: 'Conversations per tag over the range', query: { groupBy: 'tag' } },
  tagRate: { title: 'Percent of conversations resolved, per day', query: { tag: 'resolved', bucket: '1d' } },
  userMessages: { title: 'Median user messages per conversation, per hour', query: { stat: 'p50', bucket: '1h' } },
  conversationDuration: {
    title: 'Conversation duration (p90, seconds) outside English',
    query: { stat: 'p90', bucket: '1d', filters: { excludeLocales: ['en_us'] } },
  },
  userMessageHistogram: {
    title: 'Tagged conversations per number of user messages',
    query: { filters: { excludeTags: ['(none)'] } },
  },
  values: { title: 'The tags seen, for a template variable', query: { field: 'tag' } },
};

export const QUERY_EXAMPLES: QueryExample[] = QUERY_TYPE_ORDER.map((type) => ({
  type,
  label: QUERY_TYPE_SPECS[type].label,
  description: QUERY_TYPE_SPECS[type].description,
  title: EXAMPLES[type].title,
  query: { queryType: type, ...EXAMPLES[type].query },
}));
