import React from 'react';
import { Stack, Text } from '@grafana/ui';

import { Picker, pickerHint } from './usePickers';

/**
 * A picker with, under it, why its list is empty when it could not load: the person
 * learns that typing a value still works. (Grafana's Field shows a description only
 * beside a text label, which the query editor's fields do not have.)
 */
export function WithPickerHint({
  picker,
  what,
  children,
}: {
  picker: Picker;
  what: string;
  children: React.ReactElement;
}) {
  const hint = pickerHint(picker, what);
  if (!hint) {
    return children;
  }
  return (
    <Stack direction="column" gap={0.5}>
      {children}
      <Text variant="bodySmall" color="warning">
        {hint}
      </Text>
    </Stack>
  );
}
