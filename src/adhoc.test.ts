import { DataQueryRequest, DataSourceInstanceSettings, dateTime } from '@grafana/data';
import { lastValueFrom, of } from 'rxjs';

const replace = jest.fn((text: string) => text);
const fetch = jest.fn();
jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ replace }),
}));

import { BackendSrv, setBackendSrv } from '@grafana/runtime';

import { applyAdHocFilters } from './adhoc';
import { DataSource } from './datasource';
import { QUERY_TYPE_ORDER } from './generated/queryModel';
import { AgentXOptions, AgentXQuery } from './types';

const ds = new DataSource({ jsonData: {} } as DataSourceInstanceSettings<AgentXOptions>);

describe('ad hoc filters', () => {
  it('reach every query of the data source with the meaning of its own filters', () => {
    const adhoc = [
      { key: 'tag', operator: '=', value: 'resolved' },
      { key: 'tag', operator: '!=', value: '(none)' },
      { key: 'locale', operator: '!=', value: 'de_de' },
      { key: 'metadata.channel', operator: '=', value: 'web' },
      { key: 'metadata.plan', operator: '!=', value: '(none)' },
    ];
    for (const queryType of QUERY_TYPE_ORDER) {
      const q = ds.applyTemplateVariables({ refId: 'A', queryType, filters: { tags: ['liveChat'] } }, {}, adhoc);
      expect(q.filters?.tags).toEqual(['liveChat', 'resolved']);
      expect(q.filters?.excludeTags).toEqual(['(none)']);
      expect(q.filters?.excludeLocales).toEqual(['de_de']);
      expect(q.filters?.metadata).toEqual([
        { key: 'channel', op: '=', value: 'web' },
        { key: 'plan', op: '!=', value: '(none)' },
      ]);
    }
  });

  it('reach the backend with every query of a request', async () => {
    setBackendSrv({ fetch } as unknown as BackendSrv);
    fetch.mockReturnValue(of({ data: { results: {} } }));
    const range = { from: dateTime(0), to: dateTime(3600000), raw: { from: 'now-1h', to: 'now' } };
    const request = {
      targets: [
        { refId: 'A', queryType: 'conversationVolume' },
        { refId: 'B', queryType: 'messages' },
      ],
      range,
      scopedVars: {},
      filters: [
        { key: 'locale', operator: '=', value: 'en_us' },
        { key: 'type', operator: '!=', value: 'bot' },
      ],
      requestId: 'r',
      interval: '1m',
      intervalMs: 60000,
      timezone: 'UTC',
      app: 'dashboard',
      startTime: 0,
    } as unknown as DataQueryRequest<AgentXQuery>;
    await lastValueFrom(ds.query(request));
    const sent: AgentXQuery[] = fetch.mock.calls[0][0].data.queries;
    expect(sent.map((q) => q.filters)).toEqual([{ locales: ['en_us'] }, { locales: ['en_us'], excludeTypes: ['bot'] }]);
  });

  it('narrow a locale list: "locale = x" keeps x of the query\'s locales, or nothing', () => {
    const base: AgentXQuery = { refId: 'A', queryType: 'conversations', filters: { locales: ['en_us', 'de_de'] } };
    expect(applyAdHocFilters(base, [{ key: 'locale', operator: '=', value: 'de_de' }]).filters).toMatchObject({
      locales: ['de_de'],
    });
    const none = applyAdHocFilters(base, [{ key: 'locale', operator: '=', value: 'fr_fr' }]).filters;
    expect(none?.locales).toEqual(['fr_fr']);
    expect(none?.excludeLocales).toEqual(['fr_fr']); // no conversation can pass, as with both filters on the query
    const two = applyAdHocFilters({ refId: 'A', queryType: 'conversations' }, [
      { key: 'locale', operator: '=', value: 'en_us' },
      { key: 'locale', operator: '=', value: '(none)' },
    ]).filters;
    expect(two?.locales).toEqual(['(none)']);
    expect(two?.excludeLocales).toEqual(['(none)']);
  });

  it('apply the message type to queries that read messages only', () => {
    const adhoc = [
      { key: 'type', operator: '=', value: 'user' },
      { key: 'type', operator: '!=', value: '(none)' },
    ];
    for (const queryType of ['messages', 'transcript', 'messageVolume'] as const) {
      const f = applyAdHocFilters({ refId: 'A', queryType }, adhoc).filters;
      expect(f?.types).toEqual(['user']);
      expect(f?.excludeTypes).toEqual(['(none)']);
    }
    expect(applyAdHocFilters({ refId: 'A', queryType: 'values', field: 'messageType' }, adhoc).filters?.types).toEqual([
      'user',
    ]);
    for (const queryType of ['conversations', 'conversationVolume', 'tagRate', 'userMessageHistogram'] as const) {
      const f = applyAdHocFilters({ refId: 'A', queryType }, adhoc).filters;
      expect(f?.types).toBeUndefined();
      expect(f?.excludeTypes).toBeUndefined();
    }
  });

  it('apply after template variables, so a variable in the query is resolved first', () => {
    replace.mockImplementation((text: string) => (text === '$loc' ? '"en_us"' : text));
    const q = ds.applyTemplateVariables(
      { refId: 'A', queryType: 'conversations', filters: { locales: ['$loc'] } },
      {},
      [{ key: 'locale', operator: '=', value: 'en_us' }]
    );
    expect(q.filters?.locales).toEqual(['en_us']);
    expect(q.filters?.excludeLocales).toBeUndefined();
    replace.mockImplementation((text: string) => text);
  });

  it('refuse operators and keys the data source cannot apply, rather than ignore them', () => {
    const q: AgentXQuery = { refId: 'A', queryType: 'conversations' };
    expect(() => applyAdHocFilters(q, [{ key: 'tag', operator: '=~', value: 'res.*' }])).toThrow(/= and != only/);
    expect(() => applyAdHocFilters(q, [{ key: 'sender', operator: '=', value: 'bot' }])).toThrow(/unknown/);
    expect(applyAdHocFilters(q, [])).toBe(q);
    // A panel opened in Explore still opens, without what cannot apply.
    const [opened] = ds.interpolateVariablesInQueries([q], {}, [{ key: 'tag', operator: '=~', value: 'res.*' }]);
    expect(opened.filters?.tags).toBeUndefined();
    const [kept] = ds.interpolateVariablesInQueries([q], {}, [{ key: 'tag', operator: '=', value: 'resolved' }]);
    expect(kept.filters?.tags).toEqual(['resolved']);
    expect(applyAdHocFilters(q, undefined)).toBe(q);
  });
});

describe('ad hoc keys and values', () => {
  it('offer tag, locale, type and each metadata key seen', async () => {
    const get = jest.spyOn(ds, 'getResource').mockResolvedValue({ values: ['channel', 'plan'] });
    expect((await ds.getTagKeys()).map((k) => k.text)).toEqual([
      'tag',
      'locale',
      'type',
      'metadata.channel',
      'metadata.plan',
    ]);
    expect(get).toHaveBeenCalledWith('values', { field: 'metadataKey' });
    get.mockRestore();
  });

  it("offer each key's values from the data, (none) included", async () => {
    const get = jest.spyOn(ds, 'getResource').mockResolvedValue({ values: ['a', 'b'] });
    const texts = async (key: string) => (await ds.getTagValues({ key, filters: [] })).map((v) => v.text);
    expect(await texts('tag')).toEqual(['a', 'b', '(none)']);
    expect(get).toHaveBeenLastCalledWith('values', { field: 'tag' });
    await texts('locale');
    expect(get).toHaveBeenLastCalledWith('values', { field: 'locale' });
    await texts('type');
    expect(get).toHaveBeenLastCalledWith('values', { field: 'messageType' });
    await texts('metadata.plan');
    expect(get).toHaveBeenLastCalledWith('values', { field: 'metadataValue', metadataKey: 'plan' });
    get.mockClear();
    expect(await texts('nothing')).toEqual([]);
    expect(get).not.toHaveBeenCalled();
    get.mockRestore();
  });
});
