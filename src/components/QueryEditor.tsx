import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, ComboboxOption, InlineField, InlineFieldRow, Input, RadioButtonGroup, Stack } from '@grafana/ui';

import { DataSource } from '../datasource';
import {
  FIELD_OPTIONS,
  groupByOptions,
  migrateQuery,
  QUERY_DEFAULTS,
  statOptions,
  switchType,
  uses,
} from '../editor/queryModel';
import { AgentXOptions, AgentXQuery, DEFAULT_QUERY, QUERY_TYPES, QueryType } from '../types';
import { FiltersEditor } from './FiltersEditor';
import { Options, usePickers } from './usePickers';

type Props = QueryEditorProps<DataSource, AgentXQuery, AgentXOptions>;

const typeOptions: Array<ComboboxOption<QueryType>> = QUERY_TYPES.map((t) => ({
  value: t.value,
  label: t.label,
  description: t.description,
}));

/** A picker's options plus the current value, so a value not (or no longer) offered still shows. */
const withCurrent = (options: Options, value?: string) =>
  value && !options.some((o) => o.value === value) ? [...options, { value, label: value }] : options;

export function QueryEditor({ query: saved, datasource, onChange, onRunQuery }: Props) {
  const query = migrateQuery({ ...DEFAULT_QUERY, ...saved });
  const t = query.queryType;
  const pickers = usePickers(datasource, query.bot);

  // Choices run the query at once; text fields run it when they lose focus.
  const update = (patch: Partial<AgentXQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        <InlineField label="Query type" labelWidth={14}>
          <Combobox
            id="agentx-query-type"
            width={32}
            options={typeOptions}
            value={t}
            onChange={(v) => {
              // Not update(): merging would bring back what the new type does not use.
              onChange(switchType(query, v.value));
              onRunQuery();
            }}
          />
        </InlineField>
        <InlineField
          label="Bot"
          labelWidth={8}
          tooltip="Empty uses the data source's default bot. Template variables allowed."
        >
          <Combobox
            id="agentx-bot"
            width={28}
            options={withCurrent(pickers.bots, query.bot)}
            value={query.bot || null}
            placeholder="default bot"
            createCustomValue
            isClearable
            onChange={(v) => update({ bot: v ? String(v.value) : undefined })}
          />
        </InlineField>
        {uses.field(t) && (
          <InlineField label="List" labelWidth={8}>
            <Combobox
              id="agentx-field"
              width={24}
              options={FIELD_OPTIONS}
              value={query.field ?? null}
              onChange={(v) => update({ field: v.value })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
      {(uses.groupBy(t) || uses.tag(t) || uses.stat(t) || uses.bucket(t)) && (
        <InlineFieldRow>
          {uses.groupBy(t) && (
            <InlineField label="Group by" labelWidth={14}>
              <RadioButtonGroup
                options={groupByOptions(t)}
                value={query.groupBy ?? ''}
                onChange={(groupBy) => update({ groupBy })}
              />
            </InlineField>
          )}
          {uses.tag(t) && (
            <InlineField label="Tag" labelWidth={8} tooltip="The share of conversations that carry this tag">
              <Combobox
                id="agentx-tag"
                width={24}
                options={withCurrent(pickers.tags, query.tag)}
                value={query.tag ?? QUERY_DEFAULTS.tag}
                createCustomValue
                onChange={(v) => update({ tag: String(v.value) })}
              />
            </InlineField>
          )}
          {uses.stat(t) && (
            <InlineField label="Statistic" labelWidth={12} tooltip="Per bucket, over the bucket's conversations">
              <RadioButtonGroup
                options={statOptions(t)}
                value={query.stat ?? QUERY_DEFAULTS.stat}
                onChange={(stat) => update({ stat })}
              />
            </InlineField>
          )}
          {uses.bucket(t) && (
            <InlineField
              label="Bucket"
              labelWidth={10}
              tooltip="1m to 7d, aligned to UTC; empty follows the panel's interval"
            >
              <Input
                id="agentx-bucket"
                width={10}
                defaultValue={query.bucket ?? ''}
                placeholder="auto"
                onBlur={(e) =>
                  e.currentTarget.value !== (query.bucket ?? '') &&
                  update({ bucket: e.currentTarget.value || undefined })
                }
              />
            </InlineField>
          )}
        </InlineFieldRow>
      )}
      {((uses.groupBy(t) && query.groupBy === 'metadata') || (uses.field(t) && query.field === 'metadataValue')) && (
        <InlineFieldRow>
          <InlineField label="Metadata key" labelWidth={14} tooltip="A top-level key of the conversation's metadata">
            <Combobox
              id="agentx-metadata-key"
              width={28}
              options={withCurrent(pickers.metadataKeys, query.metadataKey)}
              value={query.metadataKey ?? null}
              createCustomValue
              onChange={(v) => update({ metadataKey: String(v.value) })}
            />
          </InlineField>
        </InlineFieldRow>
      )}
      {uses.filters(t) && (
        <FiltersEditor
          queryType={t}
          filters={query.filters ?? {}}
          tags={pickers.tags}
          locales={pickers.locales}
          metadataKeys={pickers.metadataKeys}
          onChange={(filters) => update({ filters })}
        />
      )}
      {uses.limit(t) && (
        <InlineFieldRow>
          <InlineField label="Limit" labelWidth={14} tooltip="Most rows returned, newest first">
            <Input
              id="agentx-limit"
              type="number"
              width={12}
              defaultValue={query.limit?.toString() ?? ''}
              placeholder={String(QUERY_DEFAULTS.limit)}
              onBlur={(e) => {
                const limit = e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value);
                if (limit !== query.limit) {
                  update({ limit });
                }
              }}
            />
          </InlineField>
        </InlineFieldRow>
      )}
    </Stack>
  );
}
