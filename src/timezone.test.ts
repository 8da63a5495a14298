import {
  CoreApp,
  DataFrame,
  DataQueryRequest,
  DataSourceInstanceSettings,
  FieldType,
  toDataFrame,
} from '@grafana/data';
import { DataSourceWithBackend } from '@grafana/runtime';
import { lastValueFrom, of } from 'rxjs';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({
    replace: (s: string) => ({ $tz: 'Asia/Kolkata', $berlin: 'Europe/Berlin' })[s] ?? s,
  }),
}));

import { DataSource } from './datasource';
import { resolveTimeZone, zoneNote } from './timezone';
import { AgentXOptions, AgentXQuery } from './types';

const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

function sent(timezone: string | undefined, targets: AgentXQuery[]): AgentXQuery[] {
  const spy = jest.spyOn(DataSourceWithBackend.prototype, 'query').mockReturnValue(of({ data: [] }));
  const ds = new DataSource({ jsonData: {} } as DataSourceInstanceSettings<AgentXOptions>);
  ds.query({ targets, timezone, app: CoreApp.Dashboard } as unknown as DataQueryRequest<AgentXQuery>);
  const request = spy.mock.calls[0][0] as DataQueryRequest<AgentXQuery>;
  spy.mockRestore();
  // What the SDK sends is each target through applyTemplateVariables.
  return request.targets.map((q) => ds.applyTemplateVariables(q, {}));
}

describe('time zone', () => {
  it("sends the dashboard's zone with time series that name none", () => {
    const [q] = sent('Europe/Berlin', [{ refId: 'A', queryType: 'conversationVolume', bucket: '1d' }]);
    expect(q.timezone).toBe('Europe/Berlin');
  });

  it("resolves the browser's zone and Grafana's utc", () => {
    expect(sent('browser', [{ refId: 'A', queryType: 'tagRate' }])[0].timezone).toBe(browserZone);
    expect(sent('', [{ refId: 'A', queryType: 'tagRate' }])[0].timezone).toBe(browserZone);
    expect(sent('utc', [{ refId: 'A', queryType: 'tagRate' }])[0].timezone).toBe('UTC');
    expect(resolveTimeZone('browser')).toBe(browserZone);
  });

  it("keeps a query's own zone, a variable's value included, and leaves tables alone", () => {
    const qs = sent('Europe/Berlin', [
      { refId: 'A', queryType: 'conversationVolume', timezone: 'America/New_York' },
      { refId: 'B', queryType: 'conversationVolume', timezone: '$tz' },
      { refId: 'C', queryType: 'conversations' },
    ]);
    expect(qs.map((q) => q.timezone)).toEqual(['America/New_York', 'Asia/Kolkata', undefined]);
  });

  it("marks the newest day as long as the zone's clock makes it, a variable's zone included", async () => {
    // 25 October 2026 has 25 hours in Berlin: 24 h 30 min in, its day is still under way, a UTC day is over.
    const day = Date.UTC(2026, 9, 24, 22); // 00:00 in Berlin (CEST)
    const frame = (refId: string) =>
      toDataFrame({
        refId,
        meta: { type: 'timeseries-multi' },
        fields: [
          { name: 'time', type: FieldType.time, values: [day - 24 * 3600_000, day] },
          { name: 'conversations', type: FieldType.number, values: [1, 2] },
        ],
      });
    const spy = jest
      .spyOn(DataSourceWithBackend.prototype, 'query')
      .mockReturnValue(of({ data: [frame('A'), frame('B')] }));
    const now = jest.spyOn(Date, 'now').mockReturnValue(day + 24.5 * 3600_000);
    const ds = new DataSource({ jsonData: {} } as DataSourceInstanceSettings<AgentXOptions>);
    const r = await lastValueFrom(
      ds.query({
        targets: [
          { refId: 'A', queryType: 'conversationVolume', bucket: '1d' },
          { refId: 'B', queryType: 'conversationVolume', bucket: '1d', timezone: '$berlin' },
        ],
        timezone: 'utc',
        app: CoreApp.Dashboard,
      } as unknown as DataQueryRequest<AgentXQuery>)
    );
    spy.mockRestore();
    now.mockRestore();
    const notices = r.data.map((f: DataFrame) => (f.meta?.notices ?? []).map((n) => n.text));
    expect(notices[0]).toEqual([]);
    expect(notices[1]).toEqual([expect.stringContaining('it holds 24 hours of its 25 hours so far')]);
  });

  it('says which zone the buckets follow', () => {
    expect(zoneNote(undefined, CoreApp.Dashboard, 'Europe/Berlin')).toContain('(Europe/Berlin)');
    expect(zoneNote(undefined, CoreApp.UnifiedAlerting)).toContain('UTC');
    expect(zoneNote('Asia/Kolkata', CoreApp.UnifiedAlerting)).toBe('Buckets follow Asia/Kolkata');
  });
});
