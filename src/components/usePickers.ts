import { useEffect, useState } from 'react';
import { ComboboxOption } from '@grafana/ui';
import { getTemplateSrv } from '@grafana/runtime';

import type { DataSource } from '../datasource';

export type Options = Array<ComboboxOption<string>>;

/** Dashboard variables, offered in every picker so a query can follow them. */
function variableOptions(): Options {
  return getTemplateSrv()
    .getVariables()
    .map((v) => ({ value: `$${v.name}`, label: `$${v.name}`, description: 'Template variable' }));
}

/** One picker's state: its options, whether they are on their way, and why they did not come. */
export interface Picker {
  options: Options;
  loading: boolean;
  error?: string;
}

const reason = (e: unknown) =>
  (e as { data?: { message?: string } })?.data?.message ?? (e instanceof Error ? e.message : String(e));

/** A picker that cannot load still takes typed values and variables; it says why it has no list. */
async function load(values: Promise<string[]>): Promise<Picker> {
  try {
    return { options: [...(await values).map((v) => ({ value: v, label: v })), ...variableOptions()], loading: false };
  } catch (e) {
    return { options: variableOptions(), loading: false, error: reason(e) };
  }
}

const loading: Picker = { options: [], loading: true };

export interface Pickers {
  bots: Picker;
  tags: Picker;
  locales: Picker;
  metadataKeys: Picker;
  messageTypes: Picker;
}

/**
 * Options for the bot, tag, locale, metadata-key and message-type pickers, from the backend. The
 * lists of a bot arrive in one state update: each update re-renders the whole
 * editor, and its multi-value pickers are costly to render.
 */
export function usePickers(ds: DataSource, bot?: string): Pickers {
  const [bots, setBots] = useState<Picker>(loading);
  // The lists remember the bot they are for: while another bot's load, they show as loading.
  const [values, setValues] = useState<Omit<Pickers, 'bots'> & { bot?: string; done: boolean }>({
    tags: loading,
    locales: loading,
    metadataKeys: loading,
    messageTypes: loading,
    done: false,
  });
  useEffect(() => {
    let live = true;
    load(ds.getBots()).then((b) => live && setBots(b));
    return () => {
      live = false;
    };
  }, [ds]);
  useEffect(() => {
    let live = true;
    Promise.all([
      load(ds.getValues('tag', bot)),
      load(ds.getValues('locale', bot)),
      load(ds.getValues('metadataKey', bot)),
      load(ds.getValues('messageType', bot)),
    ]).then(
      ([tags, locales, metadataKeys, messageTypes]) =>
        live && setValues({ tags, locales, metadataKeys, messageTypes, bot, done: true })
    );
    return () => {
      live = false;
    };
  }, [ds, bot]);
  if (!values.done || values.bot !== bot) {
    return { bots, tags: loading, locales: loading, metadataKeys: loading, messageTypes: loading };
  }
  const { tags, locales, metadataKeys, messageTypes } = values;
  return { bots, tags, locales, metadataKeys, messageTypes };
}

/** The line under a picker whose list could not load. */
export const pickerHint = (p: Picker, what: string) =>
  p.error ? `Could not load ${what} (${p.error}); type a value` : undefined;
