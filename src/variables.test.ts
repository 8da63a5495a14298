import { DataQueryRequest, DataQueryResponse, DataSourceInstanceSettings, FieldType, toDataFrame } from '@grafana/data';
import fs from 'fs';
import path from 'path';
import { lastValueFrom, of } from 'rxjs';

import { DataSource } from './datasource';
import { AgentXOptions, AgentXQuery } from './types';

// The provisioned data source's bots, as the backend's `values` query answers them: sorted.
const provisioned = fs.readFileSync(path.resolve(__dirname, '../provisioning/datasources/datasources.yml'), 'utf8');
const defaultBot = /defaultBot: (\S+)/.exec(provisioned)![1];
const sortedBots = ['acme-support', 'globex-billing', 'r3-218210'];

function variableOptions(field: AgentXQuery['field']): Promise<DataQueryResponse> {
  const ds = new DataSource({
    jsonData: { defaultBot, bots: sortedBots },
  } as DataSourceInstanceSettings<AgentXOptions>);
  jest.spyOn(ds, 'query').mockImplementation((req: DataQueryRequest<AgentXQuery>) =>
    of({
      data: req.targets.map((t) =>
        toDataFrame({ refId: t.refId, fields: [{ name: t.field!, type: FieldType.string, values: sortedBots }] })
      ),
    })
  );
  const vs = ds.variables as unknown as {
    query: (r: DataQueryRequest<AgentXQuery>) => ReturnType<DataSource['query']>;
  };
  return lastValueFrom(
    vs.query({ targets: [{ refId: 'v', queryType: 'values', field }] } as DataQueryRequest<AgentXQuery>) as any
  );
}

test('a bot variable offers the default bot first, so a dashboard opens on the bot the alert rules watch', async () => {
  expect(defaultBot).toBe('r3-218210');
  const r = await variableOptions('bot');
  expect(r.data[0].fields[0].values).toEqual(['r3-218210', 'acme-support', 'globex-billing']);
});

test('other variables keep the backend order', async () => {
  const r = await variableOptions('tag');
  expect(r.data[0].fields[0].values).toEqual(sortedBots);
});
