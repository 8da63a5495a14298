import { migrateQuery, statOptions, uses } from './queryModel';
import { AgentXQuery } from '../types';

describe('migrateQuery', () => {
  it('turns hand-written filters, limits and groupBy into the current model', () => {
    const old = {
      refId: 'A',
      queryType: 'conversationCounts',
      groupBy: 'none',
      limit: '50',
      filters: { tags: 'resolved, liveChat', locales: ['en_us'] },
    } as unknown as AgentXQuery;
    expect(migrateQuery(old)).toEqual({
      refId: 'A',
      queryType: 'conversationCounts',
      groupBy: '',
      limit: 50,
      filters: { tags: ['resolved', 'liveChat'], excludeTags: undefined, locales: ['en_us'] },
    });
  });

  it('leaves a current query as it is', () => {
    const q: AgentXQuery = { refId: 'A', queryType: 'tagRate', tag: 'liveChat', groupBy: 'locale', limit: 10 };
    expect(migrateQuery(q)).toEqual(q);
  });
});

describe('uses', () => {
  it('follows the contract', () => {
    expect(uses.groupBy('conversationCounts')).toBe(true);
    expect(uses.groupBy('conversations')).toBe(false);
    expect(uses.conversationId('transcript')).toBe(true);
    expect(uses.conversationId('conversationVolume')).toBe(false);
    expect(uses.limit('values')).toBe(true);
    expect(uses.stat('conversationDuration')).toBe(true);
  });

  it('offers only the statistics a type accepts', () => {
    expect(statOptions('userMessages').map((o) => o.value)).toEqual(['avg', 'sum', 'p50', 'p90', 'max']);
    expect(statOptions('conversationDuration').map((o) => o.value)).toEqual(['avg', 'p50', 'p90', 'max']);
    expect(statOptions('conversations')).toEqual([]);
  });
});
