import React, { useState } from 'react';
import { EditorField, EditorFieldGroup, EditorRow } from '@grafana/plugin-ui';
import { Button, Collapse, IconButton, MultiCombobox, RadioButtonGroup, Stack } from '@grafana/ui';

import { MetadataFilter, QueryFilters, QueryType } from '../types';
import { uses } from '../editor/queryModel';
import { QUERY_TYPE_SPECS } from '../generated/queryModel';
import { CommitField } from './CommitField';
import { PickerField } from './PickerField';
import { WithPickerHint } from './PickerHint';
import { Picker } from './usePickers';

interface Props {
  queryType?: QueryType;
  filters: QueryFilters;
  tags: Picker;
  locales: Picker;
  metadataKeys: Picker;
  messageTypes?: Picker;
  /** metadata rows that cannot run, by index */
  problems?: Record<number, string>;
  onChange: (filters: QueryFilters) => void;
}

type ListKey = 'tags' | 'excludeTags' | 'locales' | 'excludeLocales' | 'types' | 'excludeTypes';

/** Whether a query type reads messages, the records a message type filter applies to. */
const readsMessages = (t?: QueryType) => !!t && QUERY_TYPE_SPECS[t].reads === 'messages';

const OPERATORS = [
  { value: '=' as const, label: '=', description: 'The value, compared as text' },
  { value: '!=' as const, label: '≠', description: 'Anything but the value, a missing one included' },
];

/** One line that says what the filters select, shown while the section is closed. */
export function filtersSummary(f: QueryFilters, queryType?: QueryType): string {
  const parts: string[] = [];
  const list = (v?: string[]) => (v ?? []).join(', ');
  if (f.tags?.length) {
    parts.push(`with ${list(f.tags)}`);
  }
  if (f.excludeTags?.length) {
    parts.push(`without ${list(f.excludeTags)}`);
  }
  if (f.locales?.length) {
    parts.push(`locale ${list(f.locales)}`);
  }
  if (f.excludeLocales?.length) {
    parts.push(`locale not ${list(f.excludeLocales)}`);
  }
  if (readsMessages(queryType) && f.types?.length) {
    parts.push(`type ${list(f.types)}`);
  }
  if (readsMessages(queryType) && f.excludeTypes?.length) {
    parts.push(`type not ${list(f.excludeTypes)}`);
  }
  for (const m of f.metadata ?? []) {
    parts.push(`${m.key || '?'} ${m.op === '!=' ? '≠' : '='} ${m.value === '' ? '""' : m.value}`);
  }
  if (uses.conversationId(queryType) && f.conversationId) {
    parts.push(`conversation ${f.conversationId}`);
  }
  return parts.length ? parts.join(' · ') : 'every conversation';
}

/** One list filter: pick known values, type others, or use a variable. */
function ListFilter(props: {
  id: ListKey;
  label: string;
  tooltip: string;
  picker: Picker;
  what: string;
  filters: QueryFilters;
  onChange: (f: QueryFilters) => void;
}) {
  const { id, label, tooltip, picker, what, filters, onChange } = props;
  return (
    <EditorField label={label} tooltip={tooltip} width={30} htmlFor={`agentx-filter-${id}`}>
      <WithPickerHint picker={picker} what={what}>
        <MultiCombobox
          id={`agentx-filter-${id}`}
          width={30}
          options={picker.options}
          loading={picker.loading}
          placeholder={picker.loading ? `Loading ${what}…` : `any ${what.replace(/s$/, '')}`}
          value={filters[id] ?? []}
          createCustomValue
          onChange={(v) => onChange({ ...filters, [id]: v.map((o) => String(o.value)) })}
        />
      </WithPickerHint>
    </EditorField>
  );
}

export function FiltersEditor({
  queryType,
  filters,
  tags,
  locales,
  metadataKeys,
  messageTypes,
  problems,
  onChange,
}: Props) {
  const metadata = filters.metadata ?? [];
  const hasProblems = Object.keys(problems ?? {}).length > 0;
  const [open, setOpen] = useState(false);
  const setMetadata = (i: number, patch: Partial<MetadataFilter>) =>
    onChange({ ...filters, metadata: metadata.map((m, j) => (j === i ? { ...m, ...patch } : m)) });
  return (
    <Collapse
      label={`Filters: ${filtersSummary(filters, queryType)}`}
      isOpen={open || hasProblems}
      onToggle={() => setOpen(!open)}
    >
      <Stack direction="column" gap={1}>
        <EditorRow>
          <EditorFieldGroup>
            <ListFilter
              id="tags"
              label="With tags"
              tooltip="The conversation carries all of these"
              picker={tags}
              what="tags"
              filters={filters}
              onChange={onChange}
            />
            <ListFilter
              id="excludeTags"
              label="Without tags"
              tooltip="The conversation carries none of these"
              picker={tags}
              what="tags"
              filters={filters}
              onChange={onChange}
            />
            <ListFilter
              id="locales"
              label="Locales"
              tooltip="The conversation's locale is one of these"
              picker={locales}
              what="locales"
              filters={filters}
              onChange={onChange}
            />
            <ListFilter
              id="excludeLocales"
              label="Not locales"
              tooltip="The conversation's locale is none of these"
              picker={locales}
              what="locales"
              filters={filters}
              onChange={onChange}
            />
          </EditorFieldGroup>
        </EditorRow>
        {readsMessages(queryType) && messageTypes && (
          <EditorRow>
            <EditorFieldGroup>
              <ListFilter
                id="types"
                label="Message types"
                tooltip="The message's type is one of these"
                picker={messageTypes}
                what="message types"
                filters={filters}
                onChange={onChange}
              />
              <ListFilter
                id="excludeTypes"
                label="Not message types"
                tooltip="The message's type is none of these"
                picker={messageTypes}
                what="message types"
                filters={filters}
                onChange={onChange}
              />
            </EditorFieldGroup>
          </EditorRow>
        )}
        {metadata.map((m, i) => (
          <EditorRow key={i}>
            <EditorFieldGroup>
              <PickerField
                id={`agentx-filter-metadata-key-${i}`}
                label={`Metadata filter ${i + 1}`}
                width={26}
                picker={metadataKeys}
                what="metadata keys"
                value={m.key}
                placeholder="metadata key"
                problem={problems?.[i]}
                onChange={(key) => setMetadata(i, { key: key ?? '' })}
              />
              <EditorField label="Operator" htmlFor={`agentx-filter-metadata-op-${i}`}>
                <RadioButtonGroup
                  id={`agentx-filter-metadata-op-${i}`}
                  aria-label={`Operator of metadata filter ${i + 1}`}
                  options={OPERATORS}
                  value={m.op}
                  onChange={(op) => setMetadata(i, { op })}
                />
              </EditorField>
              <CommitField
                id={`agentx-filter-metadata-value-${i}`}
                label="Value"
                width={24}
                value={m.value}
                placeholder="compared as text"
                onCommit={(text) => setMetadata(i, { value: text })}
              />
              <IconButton
                name="trash-alt"
                tooltip={`Remove metadata filter ${i + 1}`}
                onClick={() => onChange({ ...filters, metadata: metadata.filter((_, j) => j !== i) })}
              />
            </EditorFieldGroup>
          </EditorRow>
        ))}
        <EditorRow>
          <EditorFieldGroup>
            {uses.conversationId(queryType) && (
              <CommitField
                id="agentx-filter-conversation-id"
                label="Conversation ID"
                width={36}
                tooltip="Only this conversation's messages"
                value={filters.conversationId ?? ''}
                placeholder="any conversation"
                onCommit={(text) => onChange({ ...filters, conversationId: text || undefined })}
              />
            )}
            <Button
              variant="secondary"
              size="sm"
              icon="plus"
              onClick={() => onChange({ ...filters, metadata: [...metadata, { key: '', op: '=', value: '' }] })}
            >
              Metadata filter
            </Button>
          </EditorFieldGroup>
        </EditorRow>
      </Stack>
    </Collapse>
  );
}
