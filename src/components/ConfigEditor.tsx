import React, { ChangeEvent } from 'react';
import { DataSourcePluginOptionsEditorProps } from '@grafana/data';
import { Field, FieldSet, Input, SecretInput, TagsInput, Text } from '@grafana/ui';

import { AgentXOptions, AgentXSecureJsonData, DEFAULT_BASE_URL } from '../types';

interface Props extends DataSourcePluginOptionsEditorProps<AgentXOptions, AgentXSecureJsonData> {}

/** The numeric settings of jsonData, so a new one is offered as soon as types.ts names it. */
type NumberKey = {
  [K in keyof AgentXOptions]-?: AgentXOptions[K] extends number | undefined ? K : never;
}[keyof AgentXOptions];

type NumberField = { key: NumberKey; label: string; description: string; placeholder: string };

const NUMBER_FIELDS: NumberField[] = [
  {
    key: 'requestsPerSecond',
    label: 'Requests per second',
    description:
      'Per endpoint. The API allows 3 per key. Grafana replicas sharing a Redis (below) share this limit; lower it only when other servers use the same key.',
    placeholder: '3',
  },
  {
    key: 'timeoutSeconds',
    label: 'Timeout (seconds)',
    description: 'For each HTTP request to the API.',
    placeholder: '30',
  },
  {
    key: 'maxRecords',
    label: 'Max records per query',
    description: 'A query that would read more stops with a clear error.',
    placeholder: '1000000',
  },
  {
    key: 'liveMinutes',
    label: 'Live minutes',
    description: 'Records newer than this may still change and are read again on every query.',
    placeholder: '60',
  },
  {
    key: 'cacheMinutes',
    label: 'Cache minutes',
    description: 'How long older, settled records are kept and reused. 0 turns the cache off.',
    placeholder: '60',
  },
  {
    key: 'finalHours',
    label: 'Final after (hours)',
    description:
      'Conversations change for a while after they start (tags, counts); after a day they do not. Records older than this are kept until the cache is full and never read again because of age.',
    placeholder: '24',
  },
  {
    key: 'liveReuseSeconds',
    label: 'Live reuse (seconds)',
    description:
      'Live records one panel read serve the panels that arrive within this time, so one dashboard load reads the live tail once. 0 reads it for every panel.',
    placeholder: '10',
  },
];

const REPLICAS_FIELD: NumberField = {
  key: 'expectedReplicas',
  label: 'Expected replicas',
  description:
    'While Redis cannot be reached, each replica reads at requests per second divided by this, so that together they stay within the limit.',
  placeholder: '2',
};

export function ConfigEditor({ options, onOptionsChange }: Props) {
  const { jsonData, secureJsonFields } = options;
  const secureJsonData = options.secureJsonData ?? {};

  const setJson = (patch: Partial<AgentXOptions>) =>
    onOptionsChange({ ...options, jsonData: { ...jsonData, ...patch } });
  const setNumber = (key: NumberKey) => (e: ChangeEvent<HTMLInputElement>) => {
    const v = e.currentTarget.value;
    setJson({ [key]: v === '' ? undefined : Number(v) });
  };
  const numberField = (f: NumberField) => (
    <Field key={f.key} label={f.label} description={f.description}>
      <Input
        id={`agentx-${f.key}`}
        type="number"
        width={20}
        value={jsonData[f.key] ?? ''}
        placeholder={f.placeholder}
        onChange={setNumber(f.key)}
      />
    </Field>
  );
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

  return (
    <>
      <FieldSet label="Connection">
        <Field
          label="API key"
          description="Found under Account > API in AgentX Support; only site admins can see it. It is stored encrypted and never sent back to the browser."
          required
        >
          {secretInput('apiKey', 'agentx-api-key', 'Paste the Export API key')}
        </Field>
        <Field label="Base URL" description="The Export API root. Use http:// only for a local simulator.">
          <Input
            id="agentx-base-url"
            width={60}
            value={jsonData.baseUrl ?? ''}
            placeholder={DEFAULT_BASE_URL}
            onChange={(e) => setJson({ baseUrl: e.currentTarget.value })}
          />
        </Field>
      </FieldSet>
      <FieldSet label="Bots">
        <Field label="Default bot" description="The bot name or id of your AI agent, used when a query names none.">
          <Input
            id="agentx-default-bot"
            width={40}
            value={jsonData.defaultBot ?? ''}
            placeholder="r3-218210"
            onChange={(e) => setJson({ defaultBot: e.currentTarget.value })}
          />
        </Field>
        <Field label="Known bots" description="Offered in the query editor and by the bots variable query.">
          <TagsInput id="agentx-bots" tags={jsonData.bots ?? []} onChange={(bots) => setJson({ bots })} width={60} />
        </Field>
      </FieldSet>
      <FieldSet label="Limits and cache">{NUMBER_FIELDS.map(numberField)}</FieldSet>
      <FieldSet label="Shared cache for Grafana HA">
        <Text element="p" variant="bodySmall" color="secondary">
          Only for Grafana run as several replicas behind a load balancer. With a Redis they all reach, the replicas
          share one rate limit per endpoint, every record read, and each export: an alert rule every replica evaluates
          reads the API once, not once per replica. A single Grafana needs none of this: it keeps history on its own
          disk.
        </Text>
        <Field
          label="Redis URL"
          description="redis://host:6379/0, or rediss:// for TLS. Every replica must use the same Redis and the same API key."
        >
          <Input
            id="agentx-redis-url"
            width={60}
            value={jsonData.redisUrl ?? ''}
            placeholder="redis://redis:6379/0"
            onChange={(e) => setJson({ redisUrl: e.currentTarget.value })}
          />
        </Field>
        <Field label="Redis password" description="Leave empty when Redis asks for none. Stored encrypted.">
          {secretInput('redisPassword', 'agentx-redis-password', 'Redis password (optional)')}
        </Field>
        {numberField(REPLICAS_FIELD)}
      </FieldSet>
    </>
  );
}
