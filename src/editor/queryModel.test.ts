import { migrateQuery, statOptions, switchType, uses } from './queryModel';
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

  it('keeps a limit text that is no number, for the backend to name', () => {
    const bad = { refId: 'A', queryType: 'conversations', limit: 'many' } as unknown as AgentXQuery;
    expect(migrateQuery(bad).limit).toBe('many');
    const empty = { refId: 'A', queryType: 'conversations', limit: ' ' } as unknown as AgentXQuery;
    expect(migrateQuery(empty).limit).toBeUndefined();
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

describe('switchType', () => {
  it('drops what the new type does not use', () => {
    const messages: AgentXQuery = {
      refId: 'A',
      queryType: 'messageVolume',
      bot: 'r3',
      groupBy: 'type',
      bucket: '1h',
      filters: { tags: ['resolved'], conversationId: 'c1' },
    };
    expect(switchType(messages, 'conversationVolume')).toEqual({
      refId: 'A',
      queryType: 'conversationVolume',
      bot: 'r3',
      bucket: '1h',
      filters: { tags: ['resolved'] },
    });
    const sum: AgentXQuery = {
      refId: 'B',
      queryType: 'userMessages',
      stat: 'sum',
      groupBy: 'metadata',
      metadataKey: 'plan',
    };
    expect(switchType(sum, 'conversationDuration')).toEqual({
      refId: 'B',
      queryType: 'conversationDuration',
      groupBy: 'metadata',
      metadataKey: 'plan',
    });
    expect(switchType(sum, 'conversations')).toEqual({ refId: 'B', queryType: 'conversations' });
  });

  it('keeps what the new type uses', () => {
    const q: AgentXQuery = { refId: 'C', queryType: 'conversationVolume', groupBy: 'locale', bucket: '15m' };
    expect(switchType(q, 'tagRate')).toEqual({ ...q, queryType: 'tagRate' });
  });

  it('keeps a time shift for time series only', () => {
    const q: AgentXQuery = { refId: 'D', queryType: 'conversationVolume', timeShift: '7d' };
    expect(switchType(q, 'tagRate').timeShift).toBe('7d');
    expect(switchType(q, 'conversations').timeShift).toBeUndefined();
  });
});
