import React from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { ConfigSection, DataSourceDescription } from '@grafana/plugin-ui';
import { Box, Divider, Field, Input, SecretInput, Stack, TagsInput, Text } from '@grafana/ui';

import { NumberSettingKey, SETTING_LABELS } from '../generated/settings';
import { baseUrlProblem, numberProblem, numberSetting, redisUrlProblem } from '../editor/settingsValidation';
import { AgentXOptions, AgentXSecureJsonData, DEFAULT_BASE_URL } from '../types';

interface Props extends DataSourcePluginOptionsEditorProps<AgentXOptions, AgentXSecureJsonData> {}

export const DOCS_URL = 'https://github.com/agentx-support/agentx-export-datasource#readme';

/** What each numeric setting means to the person setting it; labels and ranges come from the backend. */
const NUMBER_DESCRIPTIONS: Record<NumberSettingKey, string> = {
  requestsPerSecond:
    `Per endpoint. The API allows ${numberSetting('requestsPerSecond').default} per key. ` +
    'Grafana replicas sharing a Redis (below) share this limit; lower it only when other servers use the same key.',
  timeoutSeconds: 'For each HTTP request to the API.',
  maxRecords: 'A query that would read more stops with a clear error.',
  liveMinutes: 'Records newer than this may still change and are read again on every query.',
  cacheMinutes: 'How long older, settled records are kept and reused. 0 turns the cache off.',
  finalHours:
    'Conversations change for a while after they start (tags, counts); after a day they do not. Records older than this are kept until the cache is full and never read again because of age.',
  liveReuseSeconds:
    'Live records one panel read serve the panels that arrive within this time, so one dashboard load reads the live tail once. 0 reads it for every panel.',
  responseSeconds:
    'A dashboard panel waits this long for a long read, then shows what is complete (the rest empty, with a notice) while the reading goes on; a refresh shows more. Alert rules always wait for the whole answer.',
  syncDays:
    'Grafana reads this many days of every bot ahead of any query and keeps them stored, so dashboards within them answer at once. 0 turns it off.',
  syncShare:
    'The share of the rate limit the background reading may use (0.5 is half); it always lets queries go first.',
  expectedReplicas:
    'While Redis cannot be reached, each replica reads at requests per second divided by this, so that together they stay within the limit.',
};

const LIMITS: NumberSettingKey[] = [
  'requestsPerSecond',
  'timeoutSeconds',
  'maxRecords',
  'liveMinutes',
  'cacheMinutes',
  'finalHours',
  'liveReuseSeconds',
  'responseSeconds',
  'syncDays',
  'syncShare',
];

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = options.secureJsonData ?? {};

  const setJson = (patch: Partial<AgentXOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });

  const numberField = (key: NumberSettingKey) => {
    const s = numberSetting(key);
    const problem = numberProblem(s, jsonData[key]);
    return (
      <Field
        key={key}
        label={s.label}
        description={NUMBER_DESCRIPTIONS[key]}
        invalid={Boolean(problem)}
        error={problem}
      >
        <Input
          id={`agentx-${key}`}
          type="number"
          width={20}
          value={jsonData[key] ?? ''}
          placeholder={`default ${s.default}`}
          invalid={Boolean(problem)}
          onChange={(e) => {
            const v = e.currentTarget.value;
            setJson({ [key]: v === '' ? undefined : Number(v) });
          }}
        />
      </Field>
    );
  };
  /** A secret is sent once, in secureJsonData; afterwards Grafana says only that it is set. */
  const secretInput = (key: keyof AgentXSecureJsonData, id: string, placeholder: string) => (
    <SecretInput
      id={id}
      width={60}
      isConfigured={Boolean(secureJsonFields?.[key])}
      value={secureJsonData[key] ?? ''}
      placeholder={placeholder}
      onChange={(e) =>
        onOptionsChange({ ...options, secureJsonData: { ...secureJsonData, [key]: e.currentTarget.value } })
      }
      onReset={() =>
        onOptionsChange({
          ...options,
          secureJsonFields: { ...secureJsonFields, [key]: false },
          secureJsonData: { ...secureJsonData, [key]: '' },
        })
      }
    />
  );
  const baseUrl = baseUrlProblem(jsonData.baseUrl);
  const redisUrl = redisUrlProblem(jsonData.redisUrl);

  return (
    <Stack direction="column" gap={2}>
      <DataSourceDescription dataSourceName="AgentX Support" docsLink={DOCS_URL} hasRequiredFields />
      <Divider />
      <ConfigSection title="Connection">
        <Field
          label={SETTING_LABELS.apiKey}
          description="Found under Account > API in AgentX Support; only site admins can see it. It is stored encrypted and never sent back to the browser."
          required
        >
          {secretInput('apiKey', 'agentx-api-key', 'Paste the Export API key')}
        </Field>
        <Field
          label={SETTING_LABELS.baseUrl}
          description={`The Export API root; empty means ${DEFAULT_BASE_URL}. Use http:// only for a local simulator.`}
          invalid={Boolean(baseUrl)}
          error={baseUrl}
        >
          <Input
            id="agentx-base-url"
            width={60}
            value={jsonData.baseUrl ?? ''}
            placeholder="default: the AgentX Support API"
            invalid={Boolean(baseUrl)}
            onChange={(e) => setJson({ baseUrl: e.currentTarget.value })}
          />
        </Field>
      </ConfigSection>
      <ConfigSection title="Bots">
        <Field
          label={SETTING_LABELS.defaultBot}
          description="The bot name or id of your AI agent, used when a query names none."
        >
          <Input
            id="agentx-default-bot"
            width={40}
            value={jsonData.defaultBot ?? ''}
            placeholder="bot name or id"
            onChange={(e) => setJson({ defaultBot: e.currentTarget.value })}
          />
        </Field>
        <Field
          label={SETTING_LABELS.bots}
          description="Offered in the query editor and by the bots variable query; Save & test checks each."
        >
          <TagsInput
            id="agentx-bots"
            tags={jsonData.bots ?? []}
            placeholder="Add a bot name or id"
            onChange={(bots) => setJson({ bots })}
            width={60}
          />
        </Field>
      </ConfigSection>
      <ConfigSection
        title="Shared cache for Grafana HA"
        description="Only for Grafana run as several replicas behind a load balancer."
        isCollapsible
        isInitiallyOpen={
          Boolean(jsonData.redisUrl) ||
          Boolean(redisUrl) ||
          Boolean(numberProblem(numberSetting('expectedReplicas'), jsonData.expectedReplicas))
        }
      >
        <Box marginBottom={2}>
          <Text element="p" variant="bodySmall" color="secondary">
            With a Redis every replica reaches, the replicas share one rate limit per endpoint, every record read, and
            each export: an alert rule every replica evaluates reads the API once, not once per replica. A single
            Grafana needs none of this: it keeps history on its own disk.
          </Text>
        </Box>
        <Field
          label={SETTING_LABELS.redisUrl}
          description="redis://host:6379/0, or rediss:// for TLS. Every replica must use the same Redis and the same API key."
          invalid={Boolean(redisUrl)}
          error={redisUrl}
        >
          <Input
            id="agentx-redis-url"
            width={60}
            value={jsonData.redisUrl ?? ''}
            placeholder="none: this Grafana runs alone"
            invalid={Boolean(redisUrl)}
            onChange={(e) => setJson({ redisUrl: e.currentTarget.value })}
          />
        </Field>
        <Field
          label={SETTING_LABELS.redisPassword}
          description="Leave empty when Redis asks for none. Stored encrypted."
        >
          {secretInput('redisPassword', 'agentx-redis-password', 'Redis password (optional)')}
        </Field>
        {numberField('expectedReplicas')}
      </ConfigSection>
      <ConfigSection
        title="Additional settings"
        description="Limits and cache: the defaults suit most set-ups."
        isCollapsible
        isInitiallyOpen={LIMITS.some((k) => numberProblem(numberSetting(k), jsonData[k]))}
      >
        {LIMITS.map(numberField)}
      </ConfigSection>
    </Stack>
  );
}
