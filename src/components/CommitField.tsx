import React from 'react';
import { EditorField } from '@grafana/plugin-ui';
import { Input } from '@grafana/ui';

interface Props {
  id: string;
  label: string;
  width: number;
  tooltip?: string;
  /** what is wrong with the value, shown at the field */
  problem?: string;
  value: string;
  placeholder?: string;
  type?: 'number';
  /** called with the text as typed when the field loses focus */
  onCommit: (text: string) => void;
}

/**
 * A text field of the editors that changes the query when it loses focus, not on
 * every keystroke (each change may run the query), and shows its problem inline.
 */
export function CommitField({ id, label, width, tooltip, problem, value, placeholder, type, onCommit }: Props) {
  return (
    <EditorField label={label} width={width} htmlFor={id} tooltip={tooltip} invalid={Boolean(problem)} error={problem}>
      <Input
        id={id}
        type={type}
        width={width}
        defaultValue={value}
        placeholder={placeholder}
        invalid={Boolean(problem)}
        onBlur={(e) => onCommit(e.currentTarget.value)}
      />
    </EditorField>
  );
}
