import { useEffect, useState } from 'react';
import { ComboboxOption } from '@grafana/ui';
import { getTemplateSrv } from '@grafana/runtime';

import { DataSource } from '../datasource';

export type Options = Array<ComboboxOption<string>>;

/** Dashboard variables, offered in every picker so a query can follow them. */
function variableOptions(): Options {
  return getTemplateSrv()
    .getVariables()
    .map((v) => ({ value: `$${v.name}`, label: `$${v.name}`, description: 'Template variable' }));
}

/** A picker that cannot load still takes typed values and variables; the query shows the error. */
async function load(values: Promise<string[]>): Promise<Options> {
  try {
    return [...(await values).map((v) => ({ value: v, label: v })), ...variableOptions()];
  } catch {
    return variableOptions();
  }
}

interface BotValues {
  tags: Options;
  locales: Options;
  metadataKeys: Options;
}

const noValues: BotValues = { tags: [], locales: [], metadataKeys: [] };

/**
 * Options for the bot, tag, locale and metadata-key pickers, from the backend. The
 * three lists of a bot arrive in one state update: each update re-renders the whole
 * editor, and its multi-value pickers are costly to render.
 */
export function usePickers(ds: DataSource, bot?: string) {
  const [bots, setBots] = useState<Options>([]);
  const [values, setValues] = useState<BotValues>(noValues);
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
    ]).then(([tags, locales, metadataKeys]) => live && setValues({ tags, locales, metadataKeys }));
    return () => {
      live = false;
    };
  }, [ds, bot]);
  return { bots, ...values };
}
