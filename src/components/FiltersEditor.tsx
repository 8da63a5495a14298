import React from 'react';
import { Button, Combobox, IconButton, InlineField, InlineFieldRow, Input, MultiCombobox, Stack } from '@grafana/ui';

import { MetadataFilter, QueryFilters, QueryType } from '../types';
import { uses } from '../editor/queryModel';
import { Options } from './usePickers';

interface Props {
  queryType?: QueryType;
  filters: QueryFilters;
  tags: Options;
  locales: Options;
  metadataKeys: Options;
  onChange: (filters: QueryFilters) => void;
}

type ListKey = 'tags' | 'excludeTags' | 'locales';

/** One list filter: pick known values, type others, or use a variable. */
function ListFilter(props: {
  id: ListKey;
  label: string;
  tooltip: string;
  options: Options;
  filters: QueryFilters;
  onChange: (f: QueryFilters) => void;
}) {
  const { id, label, tooltip, options, filters, onChange } = props;
  return (
    <InlineField label={label} labelWidth={14} tooltip={tooltip}>
      <MultiCombobox
        id={`agentx-filter-${id}`}
        width={30}
        options={options}
        value={filters[id] ?? []}
        createCustomValue
        onChange={(v) => onChange({ ...filters, [id]: v.map((o) => String(o.value)) })}
      />
    </InlineField>
  );
}

const toOptions = (values?: string[]) => (values ?? []).map((v) => ({ value: v, label: v }));

export function FiltersEditor({ queryType, filters, tags, locales, metadataKeys, onChange }: Props) {
  const metadata = filters.metadata ?? [];
  const setMetadata = (i: number, patch: Partial<MetadataFilter>) =>
    onChange({ ...filters, metadata: metadata.map((m, j) => (j === i ? { ...m, ...patch } : m)) });

  return (
    <Stack direction="column" gap={0}>
      <InlineFieldRow>
        <ListFilter
          id="tags"
          label="With tags"
          tooltip="The conversation carries all of these"
          options={tags}
          filters={filters}
          onChange={onChange}
        />
        <ListFilter
          id="excludeTags"
          label="Without tags"
          tooltip="The conversation carries none of these"
          options={tags}
          filters={filters}
          onChange={onChange}
        />
        <ListFilter
          id="locales"
          label="Locales"
          tooltip="The conversation's locale is one of these"
          options={locales}
          filters={filters}
          onChange={onChange}
        />
      </InlineFieldRow>
      {metadata.map((m, i) => (
        <InlineFieldRow key={i}>
          <InlineField label="Metadata" labelWidth={14}>
            <Combobox
              id={`agentx-filter-metadata-key-${i}`}
              width={24}
              options={[...metadataKeys, ...toOptions(m.key ? [m.key] : [])]}
              value={m.key || null}
              createCustomValue
              placeholder="key"
              onChange={(o) => setMetadata(i, { key: String(o.value) })}
            />
          </InlineField>
          <Combobox
            id={`agentx-filter-metadata-op-${i}`}
            width={8}
            options={[
              { value: '=', label: '=' },
              { value: '!=', label: '!=' },
            ]}
            value={m.op}
            onChange={(o) => setMetadata(i, { op: o.value as MetadataFilter['op'] })}
          />
          <Input
            aria-label={`metadata value ${i + 1}`}
            width={24}
            defaultValue={m.value}
            placeholder="value (compared as text)"
            onBlur={(e) => setMetadata(i, { value: e.currentTarget.value })}
          />
          <IconButton
            name="trash-alt"
            tooltip="Remove this metadata filter"
            onClick={() => onChange({ ...filters, metadata: metadata.filter((_, j) => j !== i) })}
          />
        </InlineFieldRow>
      ))}
      <InlineFieldRow>
        <Button
          variant="secondary"
          size="sm"
          icon="plus"
          onClick={() => onChange({ ...filters, metadata: [...metadata, { key: '', op: '=', value: '' }] })}
        >
          Metadata filter
        </Button>
        {uses.conversationId(queryType) && (
          <InlineField label="Conversation ID" labelWidth={16} tooltip="Only this conversation's messages">
            <Input
              id="agentx-filter-conversation-id"
              width={36}
              defaultValue={filters.conversationId ?? ''}
              placeholder="any conversation"
              onBlur={(e) => onChange({ ...filters, conversationId: e.currentTarget.value || undefined })}
            />
          </InlineField>
        )}
      </InlineFieldRow>
    </Stack>
  );
}
