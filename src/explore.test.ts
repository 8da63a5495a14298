import { BackendSrv, setBackendSrv, setTemplateSrv, TemplateSrv } from '@grafana/runtime';
import {
  createDataFrame,
  DataQueryRequest,
  DataSourceInstanceSettings,
  dateTime,
  FieldType,
  LogRowContextQueryDirection,
  LogRowModel,
  SupplementaryQueryType,
} from '@grafana/data';
import { of } from 'rxjs';

import { DataSource } from './datasource';
import { contextRequest, modifyQuery, toggleQueryFilter } from './explore';
import { AgentXOptions, AgentXQuery } from './types';

const ds = new DataSource({ jsonData: {} } as DataSourceInstanceSettings<AgentXOptions>);
const transcript: AgentXQuery = { refId: 'A', queryType: 'transcript', bot: 'r3', filters: { tags: ['resolved'] } };

describe("Explore's filter for / filter out value", () => {
  it('adds the message type and the conversation to the query', () => {
    const typed = ds.modifyQuery(transcript, { type: 'ADD_FILTER', options: { key: 'type', value: 'user' } });
    expect(typed.filters).toEqual({ tags: ['resolved'], types: ['user'] });
    const out = ds.modifyQuery(typed, { type: 'ADD_FILTER_OUT', options: { key: 'type', value: 'user' } });
    expect(out.filters).toEqual({ tags: ['resolved'], types: [], excludeTypes: ['user'] });
    const back = ds.modifyQuery(out, { type: 'ADD_FILTER', options: { key: 'type', value: 'user' } });
    expect(back.filters).toEqual({ tags: ['resolved'], types: ['user'], excludeTypes: [] });
    const conv = ds.modifyQuery(transcript, { type: 'ADD_FILTER', options: { key: 'conversationId', value: 'c7' } });
    expect(conv.filters).toEqual({ tags: ['resolved'], conversationId: 'c7' });
    expect(ds.getSupportedQueryModifications()).toEqual(['ADD_FILTER', 'ADD_FILTER_OUT']);
  });

  it('leaves the query as it is for labels without a filter, and for other actions', () => {
    for (const key of ['sender', 'userActionType']) {
      expect(modifyQuery(transcript, { type: 'ADD_FILTER', options: { key, value: 'bot' } })).toBe(transcript);
    }
    expect(modifyQuery(transcript, { type: 'ADD_STRING_FILTER', options: { value: 'hi' } })).toBe(transcript);
    expect(modifyQuery(transcript, { type: 'ADD_FILTER' })).toBe(transcript);
  });

  it('toggles: a second click removes the filter, and Log details sees which are on', () => {
    const on = ds.toggleQueryFilter(transcript, { type: 'FILTER_FOR', options: { key: 'type', value: 'bot' } });
    expect(ds.queryHasFilter(on, { key: 'type', value: 'bot' })).toBe(true);
    const off = ds.toggleQueryFilter(on, { type: 'FILTER_FOR', options: { key: 'type', value: 'bot' } });
    expect(ds.queryHasFilter(off, { key: 'type', value: 'bot' })).toBe(false);
    expect(off.filters?.types).toEqual([]);
    const out = toggleQueryFilter(off, { type: 'FILTER_OUT', options: { key: 'type', value: 'bot' } });
    expect(out.filters?.excludeTypes).toEqual(['bot']);
    expect(
      toggleQueryFilter(out, { type: 'FILTER_OUT', options: { key: 'type', value: 'bot' } }).filters?.excludeTypes
    ).toEqual([]);
    const conv = ds.toggleQueryFilter(transcript, {
      type: 'FILTER_FOR',
      options: { key: 'conversationId', value: 'c7' },
    });
    expect(ds.queryHasFilter(conv, { key: 'conversationId', value: 'c7' })).toBe(true);
    expect(
      ds.toggleQueryFilter(conv, { type: 'FILTER_FOR', options: { key: 'conversationId', value: 'c7' } }).filters
        ?.conversationId
    ).toBeUndefined();
    expect(ds.queryHasFilter(transcript, { key: 'sender', value: 'bot' })).toBe(false);
  });
});

const T = Date.UTC(2026, 10, 20, 12, 0, 0);

function logRow(): LogRowModel {
  const frame = createDataFrame({
    refId: 'A',
    fields: [
      { name: 'timestamp', type: FieldType.time, values: [T] },
      { name: 'body', type: FieldType.string, values: ['user: hi'] },
      { name: 'id', type: FieldType.string, values: ['m5'] },
    ],
  });
  return {
    dataFrame: frame,
    rowIndex: 0,
    entryFieldIndex: 1,
    timeEpochMs: T,
    labels: { conversationId: 'c7', sender: 'user', type: 'user' },
  } as unknown as LogRowModel;
}

describe('log context', () => {
  it("asks for the line's conversation before and after its time", () => {
    const back = contextRequest(logRow(), { limit: 5, direction: LogRowContextQueryDirection.Backward }, transcript)!;
    expect(back.query).toMatchObject({
      queryType: 'transcript',
      bot: 'r3',
      filters: { conversationId: 'c7' },
      limit: 6,
    });
    expect(back.query.filters).toEqual({ conversationId: 'c7' }); // the conversation, not the panel's other filters
    expect([back.from, back.to]).toEqual([T - 24 * 3600 * 1000, T + 1]);
    const fwd = contextRequest(logRow(), { limit: 5, direction: LogRowContextQueryDirection.Forward }, transcript)!;
    expect([fwd.from, fwd.to]).toEqual([T, T + 24 * 3600 * 1000]);
    const row = logRow();
    row.labels = {};
    expect(contextRequest(row)).toBeUndefined();
  });

  it('answers the nearest lines without the line itself', async () => {
    const fetch = jest.fn();
    setBackendSrv({ fetch } as unknown as BackendSrv);
    setTemplateSrv({ replace: (text: string) => text } as unknown as TemplateSrv);
    const ids = ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'];
    const answer = (refId: string) =>
      of({
        data: {
          results: {
            [refId]: {
              frames: [
                {
                  schema: {
                    refId,
                    fields: [
                      { name: 'timestamp', type: 'time' },
                      { name: 'id', type: 'string' },
                    ],
                  },
                  data: { values: [ids.map((_, i) => T + (i - 4) * 1000), ids] },
                },
              ],
            },
          },
        },
      });
    fetch.mockImplementation((opts: { data: { queries: AgentXQuery[] } }) => answer(opts.data.queries[0].refId));
    const back = await ds.getLogRowContext(
      logRow(),
      { limit: 2, direction: LogRowContextQueryDirection.Backward },
      transcript
    );
    expect(back.data[0].fields[1].values).toEqual(['m3', 'm4']);
    const sent = fetch.mock.calls[0][0].data;
    expect(sent.queries[0]).toMatchObject({ queryType: 'transcript', filters: { conversationId: 'c7' }, limit: 3 });
    expect([Number(sent.from), Number(sent.to)]).toEqual([T - 24 * 3600 * 1000, T + 1]);
    const fwd = await ds.getLogRowContext(
      logRow(),
      { limit: 2, direction: LogRowContextQueryDirection.Forward },
      transcript
    );
    expect(fwd.data[0].fields[1].values).toEqual(['m6', 'm7']);
  });
});

describe('log volume', () => {
  it("is the transcript's messages per bucket by type, with its filters", () => {
    expect(ds.getSupportedSupplementaryQueryTypes()).toEqual([SupplementaryQueryType.LogsVolume]);
    const q = ds.getSupplementaryQuery(
      { type: SupplementaryQueryType.LogsVolume },
      {
        ...transcript,
        limit: 50,
        filters: { tags: ['resolved'], conversationId: 'c7', types: ['user'] },
      }
    );
    expect(q).toEqual({
      refId: 'log-volume-A',
      queryType: 'messageVolume',
      bot: 'r3',
      groupBy: 'type',
      filters: { tags: ['resolved'], conversationId: 'c7', types: ['user'] },
    });
    expect(ds.getSupplementaryQuery({ type: SupplementaryQueryType.LogsSample }, transcript)).toBeUndefined();
    expect(
      ds.getSupplementaryQuery({ type: SupplementaryQueryType.LogsVolume }, { refId: 'A', queryType: 'messages' })
    ).toBeUndefined();
  });

  it('builds the request from the transcripts of the original one', () => {
    const range = { from: dateTime(0), to: dateTime(1), raw: { from: 'now-1h', to: 'now' } };
    const request = {
      requestId: 'explore_A',
      range,
      targets: [transcript, { refId: 'B', queryType: 'conversations' }, { ...transcript, refId: 'C', hide: true }],
    } as unknown as DataQueryRequest<AgentXQuery>;
    const r = ds.getSupplementaryRequest(SupplementaryQueryType.LogsVolume, request)!;
    expect(r.targets.map((t) => [t.refId, t.queryType])).toEqual([['log-volume-A', 'messageVolume']]);
    expect(r.range).toBe(range);
    expect(ds.getSupplementaryRequest(SupplementaryQueryType.LogsVolume, { ...request, targets: [] })).toBeUndefined();
  });
});
