import React from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { Combobox, ComboboxOption } from '@grafana/ui';

import { WithPickerHint } from './PickerHint';
import { Picker } from './usePickers';

interface Props {
  id: string;
  label: string;
  width: number;
  tooltip?: string;
  picker: Picker;
  /** what the picker lists, plural, for "Loading bots…" and the failure hint */
  what: string;
  value?: string;
  placeholder?: string;
  /** what is wrong with the value, shown at the field */
  problem?: string;
  /** the value may be cleared (onChange(undefined)) */
  clearable?: boolean;
  onChange: (value: string | undefined) => void;
}

/**
 * A field picking one value the backend lists (a bot, a tag, a metadata key), or
 * a typed one, or a dashboard variable; it shows the list loading, and why it is
 * empty when it could not load.
 */
export function PickerField(p: Props) {
  const offered = p.picker.options;
  // The current value shows even when the list does not (or no longer) offer it.
  const options: Array<ComboboxOption<string>> =
    p.value && !offered.some((o) => o.value === p.value) ? [...offered, { value: p.value, label: p.value }] : offered;
  return (
    <EditorField
      label={p.label}
      width={p.width}
      htmlFor={p.id}
      tooltip={p.tooltip}
      invalid={Boolean(p.problem)}
      error={p.problem}
    >
      <WithPickerHint picker={p.picker} what={p.what}>
        <Combobox
          id={p.id}
          width={p.width}
          options={options}
          loading={p.picker.loading}
          value={p.value || null}
          placeholder={p.picker.loading ? `Loading ${p.what}…` : p.placeholder}
          invalid={Boolean(p.problem)}
          createCustomValue
          isClearable={p.clearable}
          onChange={(v: ComboboxOption<string> | null) => p.onChange(v ? String(v.value) : undefined)}
        />
      </WithPickerHint>
    </EditorField>
  );
}
