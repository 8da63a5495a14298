import { DataSourceSettings } from '@grafana/data';

import { AgentXOptions, AgentXSecureJsonData } from '../types';

/** Data source settings as Grafana hands them to the config editor, for tests and the harness. */
export function sampleSettings(
  patch: Partial<DataSourceSettings<AgentXOptions, AgentXSecureJsonData>> = {}
): DataSourceSettings<AgentXOptions, AgentXSecureJsonData> {
  return {
    id: 1,
    uid: 'agentx',
    orgId: 1,
    name: 'AgentX Support',
    type: 'agentx-export-datasource',
    typeName: 'AgentX Support',
    typeLogoUrl: '',
    access: 'proxy',
    url: '',
    user: '',
    basicAuth: false,
    basicAuthUser: '',
    isDefault: false,
    withCredentials: false,
    readOnly: false,
    jsonData: {},
    secureJsonFields: {},
    ...patch,
  } as DataSourceSettings<AgentXOptions, AgentXSecureJsonData>;
}
