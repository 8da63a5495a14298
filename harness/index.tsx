// A page that renders the plugin's editors outside Grafana, with a stubbed data
// source, so a real browser can show what a person would see.
import React, { useState } from 'react';
import { createRoot } from 'react-dom/client';
import { CoreApp, createTheme } from '@grafana/data';
import { setTemplateSrv, TemplateSrv } from '@grafana/runtime';
import { GlobalStyles, ThemeContext } from '@grafana/ui';

import { AnnotationQueryEditor } from '../src/components/AnnotationQueryEditor';
import { ConfigEditor } from '../src/components/ConfigEditor';
import { QueryEditor } from '../src/components/QueryEditor';
import { QueryHelp } from '../src/components/QueryHelp';
import { DataSource } from '../src/datasource';
import { sampleSettings } from '../src/testing/settings';
import { AgentXQuery } from '../src/types';
import { Dashboard } from './dashboard';

setTemplateSrv({
  getVariables: () => [{ name: 'bot' }, { name: 'locale' }],
  replace: (s?: string) => s ?? '',
  containsTemplate: () => false,
  updateTimeRange: () => {},
} as unknown as TemplateSrv);

const params = new URLSearchParams(window.location.search);
// ?fail=1: the backend's resources fail, as with a rejected key or an unknown bot.
const failing = params.get('fail') === '1';

const stubDatasource = {
  getBots: async () => {
    if (failing) {
      throw new Error('the API key was rejected');
    }
    return ['r3-218210', 'acme-support'];
  },
  getValues: async (field: string) => {
    if (failing) {
      throw { data: { message: 'unknown bot' } };
    }
    return (
      {
        tag: ['guideInteraction', 'informed', 'liveChat', 'resolved'],
        locale: ['de_de', 'en_gb', 'en_us', 'ja_jp'],
        metadataKey: ['browser_visitorType', 'channel', 'plan', 'question'],
        messageType: ['BotMessage', 'Question', 'UserInput'],
      }[field] ?? []
    );
  },
} as unknown as DataSource;

// ?settings={jsonData, secureJsonFields}: the data source as a provisioning file sets it up.
const settings = sampleSettings(
  params.get('settings')
    ? JSON.parse(params.get('settings')!)
    : {
        jsonData: { defaultBot: 'r3-218210', bots: ['r3-218210', 'acme-support'] },
        secureJsonFields: { apiKey: true },
      }
);

function Config() {
  const [options, setOptions] = useState(settings);
  return <ConfigEditor options={options} onOptionsChange={setOptions} />;
}

/** An editor with what it saved and how often it ran the query, as the browser tests read them. */
function Query({ initial, annotation }: { initial: AgentXQuery; annotation?: boolean }) {
  const [query, setQuery] = useState(initial);
  const [runs, setRuns] = useState(0);
  const Editor = annotation ? AnnotationQueryEditor : QueryEditor;
  return (
    <>
      <div data-testid="editor">
        <Editor
          datasource={stubDatasource}
          query={query}
          onChange={setQuery}
          onRunQuery={() => setRuns((n) => n + 1)}
          app={(params.get('app') as CoreApp) ?? undefined}
        />
      </div>
      <pre data-testid={`model-${initial.refId}`}>{JSON.stringify(query)}</pre>
      <pre data-testid={`runs-${initial.refId}`}>{runs}</pre>
    </>
  );
}

/** The query help as Explore shows it: a click on an example puts it in the query. */
function Help({ initial }: { initial: AgentXQuery }) {
  const [query, setQuery] = useState(initial);
  return (
    <>
      <QueryHelp datasource={stubDatasource} query={query} onClickExample={setQuery} />
      <pre data-testid={`model-${initial.refId}`}>{JSON.stringify(query)}</pre>
    </>
  );
}

const view = params.get('view') ?? 'config';
const initial: AgentXQuery = JSON.parse(params.get('query') ?? '{"refId":"A","queryType":"conversations"}');

const theme = createTheme({ colors: { mode: 'dark' } });
// Browser tests resolve a colour name (a threshold's "red") with the page's theme, as Grafana does.
Object.assign(window, { grafanaTheme: theme });
const views: Record<string, React.ReactNode> = {
  config: <Config />,
  query: <Query initial={initial} />,
  annotation: <Query initial={initial} annotation />,
  dashboard: <Dashboard />,
  help: <Help initial={initial} />,
};

// Grafana's theme and global styles, as the app sets them up around every page.
createRoot(document.getElementById('root')!).render(
  <ThemeContext.Provider value={theme}>
    <GlobalStyles />
    <div style={{ padding: 16, maxWidth: view === 'dashboard' ? undefined : 1100 }}>{views[view]}</div>
  </ThemeContext.Provider>
);
