import React, { useState } from 'react';
import { QueryEditorProps } from '@grafana/data';
import { Combobox, ComboboxOption, InlineField, InlineFieldRow, Input } from '@grafana/ui';

import { DataSource } from '../datasource';
import { AgentXOptions, AgentXQuery, QUERY_TYPES, QueryType } from '../types';

type Props = QueryEditorProps<DataSource, AgentXQuery, AgentXOptions>;

const typeOptions: Array<ComboboxOption<QueryType>> = QUERY_TYPES.map((t) => ({
  value: t.value,
  label: t.label,
  description: t.description,
}));

export function QueryEditor({ query, onChange, onRunQuery }: Props) {
  // Text fields run the query when they lose focus, not on every keystroke.
  const [bot, setBot] = useState(query.bot ?? '');
  const [limit, setLimit] = useState(query.limit?.toString() ?? '');

  const update = (patch: Partial<AgentXQuery>) => {
    onChange({ ...query, ...patch });
    onRunQuery();
  };

  return (
    <InlineFieldRow>
      <InlineField label="Query type" labelWidth={14}>
        <Combobox
          id="agentx-query-type"
          width={32}
          options={typeOptions}
          value={query.queryType}
          onChange={(v) => update({ queryType: v.value })}
        />
      </InlineField>
      <InlineField
        label="Bot"
        labelWidth={8}
        tooltip="Empty uses the data source's default bot. Template variables allowed."
      >
        <Input
          id="agentx-bot"
          width={24}
          value={bot}
          placeholder="default bot"
          onChange={(e) => setBot(e.currentTarget.value)}
          onBlur={() => bot !== (query.bot ?? '') && update({ bot })}
        />
      </InlineField>
      {(query.queryType === 'conversations' || query.queryType === 'messages') && (
        <InlineField label="Limit" labelWidth={8} tooltip="Most rows returned, newest first.">
          <Input
            id="agentx-limit"
            type="number"
            width={12}
            value={limit}
            placeholder="10000"
            onChange={(e) => setLimit(e.currentTarget.value)}
            onBlur={() => update({ limit: limit === '' ? undefined : Number(limit) })}
          />
        </InlineField>
      )}
    </InlineFieldRow>
  );
}
