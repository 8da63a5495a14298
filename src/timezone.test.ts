import { CoreApp, DataQueryRequest, DataSourceInstanceSettings } from '@grafana/data';
import { DataSourceWithBackend } from '@grafana/runtime';
import { of } from 'rxjs';

jest.mock('@grafana/runtime', () => ({
  ...jest.requireActual('@grafana/runtime'),
  getTemplateSrv: () => ({ replace: (s: string) => (s === '$tz' ? 'Asia/Kolkata' : s) }),
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

  it('says which zone the buckets follow', () => {
    expect(zoneNote(undefined, CoreApp.Dashboard, 'Europe/Berlin')).toContain('(Europe/Berlin)');
    expect(zoneNote(undefined, CoreApp.UnifiedAlerting)).toContain('UTC');
    expect(zoneNote('Asia/Kolkata', CoreApp.UnifiedAlerting)).toBe('Buckets follow Asia/Kolkata');
  });
});
