import React from 'react';
import { QueryEditorProps } from '@grafana/data';
import { EditorFieldGroup, EditorRow, EditorRows } from '@grafana/plugin-ui';
import { Text } from '@grafana/ui';

import { ANNOTATION_LIMIT, prepareAnnotation } from '../annotations';
import type { DataSource } from '../datasource';
import { queryProblems } from '../editor/validate';
import { AgentXOptions, AgentXQuery } from '../types';
import { CommitField } from './CommitField';
import { FiltersEditor } from './FiltersEditor';
import { PickerField } from './PickerField';
import { botFromText, botText, pickerBot, withAllBots } from '../editor/bots';
import { usePickers } from './usePickers';

type Props = QueryEditorProps<DataSource, AgentXQuery, AgentXOptions>;

/**
 * Annotations are the conversations that match: one mark from start to last action.
 * The editor shows exactly what runs (prepareAnnotation's query), nothing a
 * conversations table panel would offer besides.
 */
export function AnnotationQueryEditor({ query, datasource, onChange }: Props) {
  const target = prepareAnnotation({ target: query } as never).target as AgentXQuery;
  const pickers = usePickers(datasource, pickerBot(target.bot));
  const problems = queryProblems(target);
  const update = (patch: Partial<AgentXQuery>) => {
    const next = { ...target, ...patch };
    if (JSON.stringify(next) !== JSON.stringify(target)) {
      onChange(next);
    }
  };
  return (
    <EditorRows>
      <Text element="p" color="secondary" variant="bodySmall">
        One mark per conversation that matches, from its start to its last action, with its locale, tags and question.
      </Text>
      <EditorRow>
        <EditorFieldGroup>
          <PickerField
            id="agentx-annotation-bot"
            label="Bot"
            width={32}
            tooltip="Empty uses the data source's default bot; All bots, or several names separated by commas, read them all. Template variables allowed."
            picker={{ ...pickers.bots, options: withAllBots(pickers.bots.options) }}
            what="bots"
            value={botText(target.bot)}
            placeholder="default bot"
            clearable
            onChange={(bot) => update({ bot: botFromText(bot) })}
          />
          <CommitField
            id="agentx-annotation-limit"
            label="Most marks"
            type="number"
            width={12}
            tooltip="The newest conversations are kept"
            problem={problems.limit}
            value={String(target.limit ?? ANNOTATION_LIMIT)}
            onCommit={(text) => update({ limit: text === '' ? ANNOTATION_LIMIT : Number(text) })}
          />
        </EditorFieldGroup>
      </EditorRow>
      <EditorRow>
        <FiltersEditor
          queryType="conversations"
          filters={target.filters ?? {}}
          tags={pickers.tags}
          locales={pickers.locales}
          metadataKeys={pickers.metadataKeys}
          problems={problems.metadata}
          onChange={(filters) => update({ filters })}
        />
      </EditorRow>
    </EditorRows>
  );
}
