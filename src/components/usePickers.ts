import { useEffect, useState } from 'react';
import { ComboboxOption } from '@grafana/ui';
import { getTemplateSrv } from '@grafana/runtime';

import { DataSource } from '../datasource';
import { ValuesField } from '../types';

export type Options = Array<ComboboxOption<string>>;

/** Dashboard variables, offered in every picker so a query can follow them. */
function variableOptions(): Options {
  return getTemplateSrv()
    .getVariables()
    .map((v) => ({ value: `$${v.name}`, label: `$${v.name}`, description: 'Template variable' }));
}

function useValues(load: () => Promise<string[]>, deps: unknown[]): Options {
  const [options, setOptions] = useState<Options>([]);
  useEffect(() => {
    let live = true;
    load()
      .then((values) => live && setOptions([...values.map((v) => ({ value: v, label: v })), ...variableOptions()]))
      // A picker that cannot load still takes typed values; the query shows the error.
      .catch(() => live && setOptions(variableOptions()));
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, deps);
  return options;
}

/** Options for the bot, tag, locale and metadata-key pickers, from the backend. */
export function usePickers(ds: DataSource, bot?: string) {
  const values = (field: ValuesField) => () => ds.getValues(field, bot);
  return {
    bots: useValues(() => ds.getBots(), [ds]),
    tags: useValues(values('tag'), [ds, bot]),
    locales: useValues(values('locale'), [ds, bot]),
    metadataKeys: useValues(values('metadataKey'), [ds, bot]),
  };
}
