import React, { useRef } from 'react';
import { CoreApp, InternalTimeZones, QueryEditorProps } from '@grafana/data';
import { EditorField, EditorFieldGroup, EditorRow, EditorRows } from '@grafana/plugin-ui';
import { Combobox, ComboboxOption, RadioButtonGroup, Text, TimeZonePicker } from '@grafana/ui';

import { DataSource } from '../datasource';
import {
  FIELD_OPTIONS,
  groupByOptions,
  migrateQuery,
  QUERY_DEFAULTS,
  shows,
  statOptions,
  switchType,
  uses,
} from '../editor/queryModel';
import { allowedTypes, isRunnable, queryProblems } from '../editor/validate';
import { zoneNote } from '../timezone';
import { AgentXOptions, AgentXQuery, DEFAULT_QUERY, QUERY_TYPES, QueryType } from '../types';
import { CommitField } from './CommitField';
import { FiltersEditor } from './FiltersEditor';
import { PickerField } from './PickerField';
import { botFromText, botText, pickerBot, withAllBots } from '../editor/bots';
import { usePickers } from './usePickers';

type Props = QueryEditorProps<DataSource, AgentXQuery, AgentXOptions>;

// Every picker and input of the editor is one of these widths (in grid units of 8 px).
const WIDE = 32;
const MEDIUM = 24;
const NARROW = 12;

/** The query types offered where the editor runs: time series in alert rules, the transcript first in Explore. */
export function typeOptions(app?: CoreApp | string, current?: QueryType): Array<ComboboxOption<QueryType>> {
  let types = allowedTypes(app);
  if (app === CoreApp.Explore) {
    types = ['transcript', ...types.filter((t) => t !== 'transcript')];
  }
  if (current && !types.includes(current)) {
    types = [...types, current]; // shown, with the reason it cannot run here
  }
  return types.map((t) => {
    const info = QUERY_TYPES.find((i) => i.value === t)!;
    return { value: t, label: info.label, description: info.description };
  });
}

/** What a person needs to know about how long data takes, in one breath. */
export const READING_HELP =
  'The last days of your bots are kept ready in the background. A longer range not yet read shows what is complete after a few seconds (the rest stays empty, with a notice) and fills in as you refresh; alert rules always wait for the whole answer.';

export function QueryEditor({ query: saved, datasource, onChange, onRunQuery, app, data }: Props) {
  const query = migrateQuery({ ...DEFAULT_QUERY, ...saved });
  const t = query.queryType;
  const pickers = usePickers(datasource, pickerBot(query.bot));
  const problems = queryProblems(query, app);

  /**
   * Every change goes through here: a change that changes nothing (a blur, a pick of
   * the current value, the second of the calls a picker can make for one pick) does
   * nothing, and a query that cannot answer is kept but not run.
   */
  const lastSent = useRef<string>(undefined);
  const change = (next: AgentXQuery) => {
    const key = JSON.stringify(next);
    if (key === JSON.stringify(query) || key === lastSent.current) {
      return;
    }
    lastSent.current = key;
    onChange(next);
    if (isRunnable(queryProblems(next, app))) {
      onRunQuery();
    }
  };
  const update = (patch: Partial<AgentXQuery>) => change({ ...query, ...patch });

  return (
    <EditorRows>
      <EditorRow>
        <EditorFieldGroup>
          <EditorField
            label="Query type"
            width={WIDE}
            htmlFor="agentx-query-type"
            tooltip={READING_HELP}
            invalid={Boolean(problems.queryType)}
            error={problems.queryType}
          >
            <Combobox
              id="agentx-query-type"
              width={WIDE}
              options={typeOptions(app, t)}
              value={t ?? null}
              placeholder="Pick a query type"
              invalid={Boolean(problems.queryType)}
              // Not update(): merging would bring back what the new type does not use.
              onChange={(v) => change(switchType(query, v.value))}
            />
          </EditorField>
          <PickerField
            id="agentx-bot"
            label="Bot"
            width={WIDE}
            tooltip="Empty uses the data source's default bot; All bots, or several names separated by commas, read them all. Template variables allowed."
            picker={{ ...pickers.bots, options: withAllBots(pickers.bots.options) }}
            what="bots"
            value={botText(query.bot)}
            placeholder="default bot"
            clearable
            onChange={(bot) => update({ bot: botFromText(bot) })}
          />
          {uses.field(t) && (
            <EditorField label="List" width={MEDIUM} htmlFor="agentx-field">
              <Combobox
                id="agentx-field"
                width={MEDIUM}
                options={FIELD_OPTIONS}
                value={query.field ?? null}
                placeholder="what to list"
                onChange={(v) => update({ field: v.value })}
              />
            </EditorField>
          )}
        </EditorFieldGroup>
      </EditorRow>
      {(uses.groupBy(t) || uses.tag(t) || uses.stat(t) || uses.bucket(t)) && (
        <EditorRow>
          <EditorFieldGroup>
            {uses.groupBy(t) && (
              <EditorField label="Group by" htmlFor="agentx-group-by">
                <RadioButtonGroup
                  id="agentx-group-by"
                  aria-label="Group by"
                  options={groupByOptions(t)}
                  value={query.groupBy ?? ''}
                  onChange={(groupBy) => update({ groupBy })}
                />
              </EditorField>
            )}
            {uses.tag(t) && (
              <PickerField
                id="agentx-tag"
                label="Tag"
                width={MEDIUM}
                tooltip="The share of conversations that carry this tag"
                picker={pickers.tags}
                what="tags"
                value={query.tag ?? QUERY_DEFAULTS.tag}
                onChange={(tag) => update({ tag })}
              />
            )}
            {uses.stat(t) && (
              <EditorField
                label="Statistic"
                htmlFor="agentx-stat"
                tooltip="Per bucket, over the bucket's conversations"
              >
                <RadioButtonGroup
                  id="agentx-stat"
                  aria-label="Statistic"
                  options={statOptions(t)}
                  value={query.stat ?? QUERY_DEFAULTS.stat}
                  onChange={(stat) => update({ stat })}
                />
              </EditorField>
            )}
            {uses.bucket(t) && (
              <CommitField
                id="agentx-bucket"
                label="Bucket"
                width={NARROW}
                tooltip="1m to 7d; hours, days and weeks (from Monday) follow the time zone below; range: one bucket over the whole time range; empty follows the panel's interval"
                problem={problems.bucket}
                value={query.bucket ?? ''}
                placeholder="auto"
                onCommit={(text) => update({ bucket: text.trim() || undefined })}
              />
            )}
            {uses.bucket(t) && (
              <CommitField
                id="agentx-time-shift"
                label="Time shift"
                width={NARROW}
                tooltip="Read this much earlier and show it at this query's times, to compare with last week (7d)"
                problem={problems.timeShift}
                value={query.timeShift ?? ''}
                placeholder="none"
                onCommit={(text) => update({ timeShift: text.trim() || undefined })}
              />
            )}
          </EditorFieldGroup>
        </EditorRow>
      )}
      {uses.bucket(t) && (
        <EditorRow>
          <TimeZoneField
            value={query.timezone}
            app={app}
            requestZone={data?.request?.timezone}
            onChange={(timezone) => update({ timezone })}
          />
        </EditorRow>
      )}
      {shows('metadataKey', query) && (
        <EditorRow>
          <PickerField
            id="agentx-metadata-key"
            label="Metadata key"
            width={WIDE}
            tooltip="A top-level key of the conversation's metadata"
            picker={pickers.metadataKeys}
            what="metadata keys"
            value={query.metadataKey}
            placeholder="metadata key"
            problem={problems.metadataKey}
            onChange={(metadataKey) => update({ metadataKey })}
          />
        </EditorRow>
      )}
      {uses.filters(t) && (
        <EditorRow>
          <FiltersEditor
            queryType={t}
            filters={query.filters ?? {}}
            tags={pickers.tags}
            locales={pickers.locales}
            metadataKeys={pickers.metadataKeys}
            messageTypes={pickers.messageTypes}
            problems={problems.metadata}
            onChange={(filters) => update({ filters })}
          />
        </EditorRow>
      )}
      {uses.limit(t) && (
        <EditorRow>
          <CommitField
            id="agentx-limit"
            label="Limit"
            type="number"
            width={NARROW}
            tooltip="Most rows returned, newest first"
            problem={problems.limit}
            value={query.limit?.toString() ?? ''}
            placeholder={String(QUERY_DEFAULTS.limit)}
            onCommit={(text) => update({ limit: text === '' ? undefined : Number(text) })}
          />
        </EditorRow>
      )}
    </EditorRows>
  );
}

const ALERTING: Array<CoreApp | string | undefined> = [CoreApp.UnifiedAlerting, CoreApp.CloudAlerting];

/**
 * The zone the buckets follow: empty follows the dashboard's (UTC in an alert
 * rule, which has no dashboard). An alert rule has no browser, so it is not offered
 * the browser's zone.
 */
function TimeZoneField(props: {
  value?: string;
  app?: CoreApp | string;
  requestZone?: string;
  onChange: (timezone?: string) => void;
}) {
  const alerting = ALERTING.includes(props.app);
  const note = zoneNote(props.value, props.app, props.requestZone);
  return (
    <EditorFieldGroup>
      <EditorField
        label="Time zone"
        width={WIDE}
        htmlFor="agentx-timezone"
        tooltip="Hour, day and week buckets follow this zone's clock (23- and 25-hour days when the clock changes). Empty follows the dashboard's time zone; alert rules use UTC unless a zone is picked here."
      >
        <TimeZonePicker
          inputId="agentx-timezone"
          width={WIDE}
          value={props.value ?? InternalTimeZones.default}
          includeInternal={alerting ? [InternalTimeZones.utc] : true}
          onChange={(tz) => props.onChange(tz || undefined)}
        />
      </EditorField>
      <Text variant="bodySmall" color="secondary" data-testid="agentx-zone-note">
        {note}
      </Text>
    </EditorFieldGroup>
  );
}
