import { DataSourceInstanceSettings } from '@grafana/data';

const replace = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ replace }),
}));

import { DataSource } from './datasource';
import { AgentXOptions } from './types';

const vars: Record<string, string[]> = { $bot: ['r3'], $tags: ['resolved', 'liveChat'], $locale: ['en_us'] };

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

  it('skips hidden queries and queries without a type', () => {
    expect(ds.filterQuery({ refId: 'A', queryType: 'conversations' })).toBe(true);
    expect(ds.filterQuery({ refId: 'A', queryType: 'conversations', hide: true })).toBe(false);
    expect(ds.filterQuery({ refId: 'A' })).toBe(false);
  });
});
