// The provisioned dashboard seen through Grafana's display code: every panel's
// queries answered by the backend over gRPC against the simulator
// (`go run ./pkg/cmd/preview`, which Jest's global setup, harness/preview-answers.js,
// runs when its answers are missing or older than their sources), then
// transformed, configured and reduced with @grafana/data's own functions.
import { createTheme, FieldType } from '@grafana/data';
import fs from 'fs';
import path from 'path';

import { expectedAlertStates } from './expectedAlerts';
import { alertList } from './alertList';
import { evaluateRule } from './alertRules';
import { barChartModel } from './barChart';
import { allPanels, Answers, DATA_PANELS, PanelView, previewPanel } from './panelPreview';

const ANSWERS = path.resolve(__dirname, '../../harness/preview/answers.json');

function load(): Answers {
  if (!fs.existsSync(ANSWERS)) {
    throw new Error(`${ANSWERS} is missing: Jest's global setup (harness/preview-answers.js) writes it`);
  }
  return JSON.parse(fs.readFileSync(ANSWERS, 'utf8'));
}

const answers = load();
const dashboardOnDisk = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../provisioning/dashboards/agentx-bot-operations.json'), 'utf8')
);

// Names Grafana falls back to when nobody named a field: the backend's raw field
// names, or Grafana's own placeholders. A person reading the panel learns nothing.
const RAW_NAMES = /^(conversations|messages|percent|avg|p50|p90|max|sum|time|Value|Field|Series|No data)( \d+)?$/;

const views: Record<string, PanelView> = {};
beforeAll(async () => {
  for (const p of allPanels(answers).filter((p) => DATA_PANELS.includes(p.type))) {
    // One panel's failure is reported on that panel, not on all of them.
    views[p.title] = await previewPanel(answers, p).catch((e) => ({
      panel: p,
      frames: [],
      values: [],
      names: [],
      errors: [String(e)],
      range: { from: 0, to: 0 },
    }));
  }
});

test('the answers are for the dashboard as it is in the repository', () => {
  expect(answers.dashboard).toEqual(dashboardOnDisk);
});

test('panel titles are distinct, so a reader can tell panels apart', () => {
  const titles = allPanels(answers).map((p) => p.title);
  expect(titles.length).toBe(new Set(titles).size);
});

test('every panel is a visualisation the preview knows, and every data panel was answered', () => {
  const known = [...DATA_PANELS, 'row', 'alertlist'];
  for (const p of allPanels(answers)) {
    expect({ panel: p.title, type: p.type, known: known.includes(p.type) }).toEqual({
      panel: p.title,
      type: p.type,
      known: true,
    });
    if (DATA_PANELS.includes(p.type)) {
      expect({ panel: p.title, answered: String(p.id) in answers.panels }).toEqual({ panel: p.title, answered: true });
    }
  }
});

describe.each(
  allPanels(answers)
    .filter((p) => DATA_PANELS.includes(p.type))
    .map((p) => [p.title, p.type])
)('%s (%s)', (title) => {
  test('answers without an error', () => {
    expect(views[title].errors).toEqual([]);
  });

  test('shows at least one value', () => {
    const v = views[title];
    if (v.values.length > 0) {
      const shown = v.values.filter((d) => d.display.numeric !== undefined && !Number.isNaN(d.display.numeric));
      expect(shown.length).toBeGreaterThan(0);
      expect(v.values.map((d) => d.display.text)).not.toContain('No data');
      return;
    }
    const values = v.frames.flatMap((f) =>
      f.fields.filter((fl) => fl.type !== FieldType.time).flatMap((fl) => fl.values.filter((x) => x !== null))
    );
    expect(values.length).toBeGreaterThan(0);
  });

  test('names what it shows distinctly and meaningfully', () => {
    const v = views[title];
    const names = v.names;
    expect(names.length).toBeGreaterThan(0);
    expect(names.filter((n) => RAW_NAMES.test(n) || n.trim() === '')).toEqual([]);
    if (v.panel.type === 'stat' && v.values.length === 1) {
      return; // a single stat shows its value under the panel's title
    }
    expect(names.length).toBe(new Set(names).size);
  });
});

test('bars of "Conversations by locale" read their locale, the group without one as "No locale"', () => {
  const v = views['Conversations by locale'];
  const locales = answers.panels[String(v.panel.id)].frames[0].data!.values[0] as string[];
  expect(v.names).toEqual(locales.map((l) => (l === '(none)' ? 'No locale' : l)));
  expect(locales).toContain('(none)');
});

test('stat panels show one figure over the whole range, with its unit', () => {
  const units: Record<string, string> = {
    'Resolution rate': '%',
    'Live-chat hand-off rate': '%',
    'Thumbs-down share': '%',
    'Median duration': '',
  };
  for (const [title, suffix] of Object.entries(units)) {
    const [value] = views[title].values;
    expect({ title, count: views[title].values.length }).toEqual({ title, count: 1 });
    expect(`${value.display.text}${value.display.suffix ?? ''}`).toMatch(suffix === '%' ? /^\d+(\.\d)? ?%$/ : /\d/);
  }
  // Duration is in seconds and Grafana writes it as minutes or seconds, never as a bare number.
  const d = views['Median duration'].values[0].display;
  expect(d.suffix?.trim()).toMatch(/^(s|ms|mins?|hours?)$/);
});

test('rate panels do not follow the Tag variable, so a rate is never trivially 100%', () => {
  for (const p of allPanels(answers)) {
    for (const t of p.targets ?? []) {
      if (t.queryType === 'tagRate') {
        const tags = ((t.filters as Record<string, unknown>)?.tags as string[]) ?? [];
        expect({ panel: p.title, tags }).toEqual({ panel: p.title, tags: [] });
      }
    }
  }
});

test('the conversation table links each conversation to its transcript in Explore', () => {
  const v = views['Recent conversations'];
  const id = v.frames[0].fields.find((f) => f.name === 'id')!;
  const links = id.getLinks!({ valueRowIndex: 0 });
  expect(links.length).toBe(1);
  expect(links[0].title).toBe('Show transcript');
  expect(decodeURIComponent(links[0].href)).toContain(`"conversationId":"${id.values[0]}"`);
  expect(decodeURIComponent(links[0].href)).toContain('"queryType":"transcript"');
});

test('"Conversations" shows the count and its change against the 7 days before, as Grafana computes it', () => {
  const v = views['Conversations'];
  const frames = answers.panels[String(v.panel.id)].frames;
  const value = (refId: string) => frames.find((f) => f.schema!.refId === refId)!.data!.values[1][0] as number;
  const [now, before] = [value('A'), value('B')];
  expect(v.values.map((d) => d.display.title)).toEqual(['Started', '% vs 7 days before']);
  expect(v.values[0].display.numeric).toBe(now);
  expect(v.values[1].display.numeric).toBeCloseTo((100 * (now - before)) / before, 12);
  // The change carries its sign: "+8.4" or "-3.1", in percent as the title says.
  const change = v.values[1].display;
  expect(`${change.prefix ?? ''}${change.text}`).toMatch(now >= before ? /^\+\d+\.\d$/ : /^-\d+\.\d$/);
});

test('bar gauge values take the colour of their threshold step, as Grafana colours them', () => {
  const theme = createTheme();
  for (const p of allPanels(answers).filter((x) => x.type === 'bargauge')) {
    const v = views[p.title];
    const defaults = p.fieldConfig!.defaults;
    for (const d of v.values) {
      const processor = d.view!.getFieldDisplayProcessor(d.colIndex!)!;
      const colour = processor(d.display.numeric).color;
      expect({ panel: p.title, value: d.display.text, colour: colour === undefined }).toEqual({
        panel: p.title,
        value: d.display.text,
        colour: false,
      });
      if (defaults.color?.mode === 'thresholds') {
        const steps = defaults.thresholds!.steps;
        const step = [...steps]
          .reverse()
          .find((s) => s.value === null || s.value === -Infinity || d.display.numeric >= s.value)!;
        expect({ panel: p.title, value: d.display.text, colour }).toEqual({
          panel: p.title,
          value: d.display.text,
          colour: theme.visualization.getColorByName(step.color),
        });
      }
    }
  }
});

test("the histogram is a bar chart with one bar per row of its frame, in the frame's order", () => {
  for (const p of allPanels(answers).filter((x) => x.type === 'barchart')) {
    const v = views[p.title];
    const m = barChartModel(v.frames[0], p.options ?? {}, 600, 300);
    const x = v.frames[0].fields.find((f) => f === m.xField)!;
    expect(m.labels.length).toBe(v.frames[0].length);
    expect(m.labels).toEqual(x.values.map((n: unknown) => x.display!(n).text));
    for (const s of m.series) {
      expect(s.values).toEqual(s.field.values);
    }
    // Bars sit side by side inside the plot, none overlapping the next.
    for (const l of m.layout) {
      l.offsets.forEach((o, i) => {
        expect(o).toBeGreaterThanOrEqual(0);
        expect(o + l.size).toBeLessThanOrEqual(1);
        if (i > 0) {
          expect(o).toBeGreaterThanOrEqual(l.offsets[i - 1] + l.size);
        }
      });
    }
  }
});

test("the alert list shows each provisioned rule's state as the rules' numbers give it", () => {
  const panel = allPanels(answers).find((p) => p.type === 'alertlist')!;
  const [listed] = alertList((answers.rules ?? []).map(evaluateRule), panel.options ?? {}, answers.dashboard.uid ?? '');
  const expected = expectedAlertStates(answers.rules as any);
  expect(expected.length).toBeGreaterThan(0);
  expect(
    listed.rules.map((r) => ({
      title: r.title,
      state: r.state,
      instances: r.instances.map((i) => ({ labels: i.labels, state: i.state })),
    }))
  ).toEqual(expected);
});

test("a stat panel that asks for a graph gets each value's sparkline, one that does not gets none", async () => {
  const stat = allPanels(answers).find((p) => p.type === 'stat' && p.title === 'Resolution rate')!;
  const withGraph = await previewPanel(answers, { ...stat, options: { ...stat.options, graphMode: 'area' } });
  expect(withGraph.values[0].sparkline?.y.values.length).toBeGreaterThan(0);
  const without = await previewPanel(answers, { ...stat, options: { ...stat.options, graphMode: 'none' } });
  expect(without.values[0].sparkline).toBeUndefined();
});
