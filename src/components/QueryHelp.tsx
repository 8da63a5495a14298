import React from 'react';
import { QueryEditorHelpProps } from '@grafana/data';
import { Button, Stack, Text } from '@grafana/ui';

import { QUERY_EXAMPLES } from '../help/examples';
import { AgentXQuery } from '../types';

/** The query help (cheat sheet): one example a query type; clicking one puts it in the editor. */
export function QueryHelp({ query, onClickExample }: QueryEditorHelpProps<AgentXQuery>) {
  return (
    <Stack direction="column" gap={2}>
      <Text element="h3">AgentX Support query cheat sheet</Text>
      <Text color="secondary">
        Every query also takes filters (tags, excluded tags, locales, metadata) and a bot; a dashboard&apos;s ad hoc
        filters (tag, locale, type, metadata.&lt;key&gt;, with = and !=) apply to every query.
      </Text>
      {QUERY_EXAMPLES.map((ex) => (
        <div key={ex.type} data-testid={`query-help-${ex.type}`}>
          <Text element="h5">
            {ex.label}: {ex.description}
          </Text>
          <Text color="secondary">{ex.title}</Text>
          <pre>{JSON.stringify(ex.query)}</pre>
          <Button
            size="sm"
            variant="secondary"
            onClick={() => onClickExample({ ...ex.query, refId: query?.refId ?? 'A', bot: query?.bot })}
          >
            Use this query
          </Button>
        </div>
      ))}
    </Stack>
  );
}
