import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, InlineField, InlineFieldRow, Input } from '@grafana/ui';

import type { DataSource } from '../datasource';
import { FIELD_OPTIONS } from '../editor/queryModel';
import { AgentXOptions, AgentXQuery } from '../types';

type Props = QueryEditorProps<DataSource, AgentXQuery, AgentXOptions, AgentXQuery>;

/** Lists bots, tags, locales, metadata keys or values, or message types for a template variable. */
export function VariableQueryEditor({ query, onChange }: Props) {
  const set = (patch: Partial<AgentXQuery>) => onChange({ ...query, ...patch, queryType: 'values' });
  return (
    <InlineFieldRow>
      <InlineField label="List" labelWidth={10}>
        <Combobox
          id="agentx-variable-field"
          width={24}
          options={FIELD_OPTIONS}
          value={query.field ?? 'tag'}
          onChange={(v) => set({ field: v.value })}
        />
      </InlineField>
      {query.field !== 'bot' && (
        <InlineField label="Bot" labelWidth={8} tooltip="Empty uses the default bot">
          <Input
            id="agentx-variable-bot"
            width={24}
            defaultValue={query.bot ?? ''}
            placeholder="default bot"
            onBlur={(e) => set({ bot: e.currentTarget.value || undefined })}
          />
        </InlineField>
      )}
      {query.field === 'metadataValue' && (
        <InlineField label="Metadata key" labelWidth={14}>
          <Input
            id="agentx-variable-metadata-key"
            width={20}
            defaultValue={query.metadataKey ?? ''}
            onBlur={(e) => set({ metadataKey: e.currentTarget.value })}
          />
        </InlineField>
      )}
    </InlineFieldRow>
  );
}
