import { DataSourceInstanceSettings } from '@grafana/data';

const replace = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ replace }),
}));

import { DataSource } from './datasource';
import { AgentXOptions } from './types';

const vars: Record<string, string[]> = {
  $bot: ['r3'],
  $tags: ['resolved', 'liveChat'],
  $locale: ['en_us'],
  $split: ['locale'],
  $key: ['channel'],
  $value: ['web'],
  $conv: ['c1'],
  $everyTag: ['__all__'],
};

beforeEach(() => {
  replace.mockImplementation((text: string, _scoped: unknown, format?: string) => {
    const v = vars[text];
    if (!v) {
      return text;
    }
    return format === 'json' ? JSON.stringify(v.length === 1 ? v[0] : v) : v.join(',');
  });
});

describe('DataSource', () => {
  const ds = new DataSource({ jsonData: {} } as DataSourceInstanceSettings<AgentXOptions>);

  it('interpolates single values and turns multi-value variables into lists', () => {
    const q = ds.applyTemplateVariables(
      {
        refId: 'A',
        queryType: 'conversations',
        bot: '$bot',
        filters: { tags: ['$tags', 'informed'], locales: ['$locale'] },
      },
      {}
    );
    expect(q.bot).toBe('r3');
    expect(q.filters?.tags).toEqual(['resolved', 'liveChat', 'informed']);
    expect(q.filters?.locales).toEqual(['en_us']);
  });

  it('interpolates every other string field, metadata filters included', () => {
    const q = ds.applyTemplateVariables(
      {
        refId: 'A',
        queryType: 'messages',
        groupBy: '$split' as never,
        tag: '$tags',
        bucket: '$bucket',
        filters: { metadata: [{ key: '$key', op: '=', value: '$value' }], conversationId: '$conv' },
      },
      {}
    );
    expect(q.groupBy).toBe('locale');
    expect(q.filters?.metadata).toEqual([{ key: 'channel', op: '=', value: 'web' }]);
    expect(q.filters?.conversationId).toBe('c1');
    expect(q.bucket).toBe('$bucket'); // an unknown variable stays, and the backend names it
  });

  it('treats a variable set to All as no filter', () => {
    const q = ds.applyTemplateVariables(
      { refId: 'A', queryType: 'conversations', filters: { tags: ['$everyTag'], locales: ['$locale'] } },
      {}
    );
    expect(q.filters?.tags).toEqual([]);
    expect(q.filters?.locales).toEqual(['en_us']);
  });

  it('skips hidden queries and queries without a type', () => {
    expect(ds.filterQuery({ refId: 'A', queryType: 'conversations' })).toBe(true);
    expect(ds.filterQuery({ refId: 'A', queryType: 'conversations', hide: true })).toBe(false);
    expect(ds.filterQuery({ refId: 'A' })).toBe(false);
  });
});
