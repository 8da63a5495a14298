// What a lead reads on the provisioned dashboard, through Grafana's own display code
// (panelPreview): signed changes, whole counts, one unit per axis, named groups.
import { FieldDisplay, FieldType } from '@grafana/data';
import fs from 'fs';
import path from 'path';

import { allPanels, Answers, PanelModel, PanelView, previewPanel } from './panelPreview';

const answers: Answers = JSON.parse(
  fs.readFileSync(path.resolve(__dirname, '../../harness/preview/answers.json'), 'utf8')
);
const panel = (title: string): PanelModel => allPanels(answers).find((p) => p.title === title)!;
const views: Record<string, PanelView> = {};
beforeAll(async () => {
  for (const p of allPanels(answers).filter((p) => (p.targets ?? []).length > 0)) {
    views[p.title] = await previewPanel(answers, p);
  }
});

/** Every shown text of a field of a time series or table panel, with prefix and unit. */
function shown(v: PanelView, fieldName: string): string[] {
  return v.frames.flatMap((f) =>
    f.fields
      .filter((fl) => fl.name === fieldName || fl.config.displayName === fieldName)
      .flatMap((fl) =>
        fl.values
          .filter((x) => x !== null && x !== undefined)
          .map((x) => {
            const d = fl.display!(x);
            return `${d.prefix ?? ''}${d.text}${d.suffix ?? ''}`;
          })
      )
  );
}
const text = (d: FieldDisplay) => `${d.display.prefix ?? ''}${d.display.text}${d.display.suffix ?? ''}`;

test('counts are whole numbers wherever they show', () => {
  const counts: Array<[string, string]> = [
    ['Conversations started, by tag', 'conversations'],
    ['Messages by type', 'messages'],
    ['Conversations started, per bot', 'conversations'],
    ['User messages per conversation, histogram', 'conversations'],
    ['Top tags', 'conversations'],
    ['Recent conversations', 'userMessageCount'],
  ];
  for (const [title, field] of counts) {
    const texts = shown(views[title], field);
    expect({ title, n: texts.length > 0 }).toEqual({ title, n: true });
    expect({ title, decimals: texts.filter((t) => /\d[.,]\d*[1-9]?\d*$/.test(t) && t.includes('.')) }).toEqual({
      title,
      decimals: [],
    });
  }
  for (const title of ['Conversations by locale']) {
    const texts = views[title].values.map(text);
    expect(texts.filter((t) => t.includes('.'))).toEqual([]);
  }
  expect(text(views['Conversations'].values[0])).toMatch(/^\d{1,3}(,\d{3})*$/);
});

test('the change against the 7 days before carries its sign', () => {
  const change = views['Conversations'].values[1];
  expect(change.display.title).toMatch(/%/);
  const sign = Math.sign(change.display.numeric);
  expect(text(change)).toMatch(sign >= 0 ? /^\+\d+\.\d$/ : /^-\d+\.\d$/);
});

test('a fall against the 7 days before reads with its minus sign, like a rise with its plus', async () => {
  // The same panel over answers where the 7 days before had more conversations.
  const swapped: Answers = JSON.parse(JSON.stringify(answers));
  const frames = swapped.panels[String(panel('Conversations').id)].frames;
  const [a, b] = ['A', 'B'].map((ref) => frames.find((f) => f.schema!.refId === ref)!.data!.values[1]);
  [a[0], b[0]] = [b[0], a[0]];
  const v = await previewPanel(swapped, panel('Conversations'));
  const change = v.values[1];
  expect(change.display.numeric).toBeLessThan(0);
  expect(text(change)).toMatch(/^-\d+\.\d$/);
  expect(change.display.title).toBe(views['Conversations'].values[1].display.title);
});

test('the duration axis has one unit, minutes, and the values are the seconds the backend answers ÷ 60', () => {
  const v = views['Conversation duration'];
  expect(v.names).toEqual(['Median', '90th percentile']);
  const units = new Set(
    v.frames.flatMap((f) => f.fields.filter((fl) => fl.type === FieldType.number).map((fl) => fl.config.unit))
  );
  expect([...units]).toEqual(['suffix:min']);
  // Whatever the value (50 s, 100 s, 250 s), the text is in minutes.
  const field = v.frames[0].fields.find((fl) => fl.name === 'Median')!;
  expect([50, 100, 250].map((s) => field.display!(s / 60)).map((d) => `${d.text}${d.suffix}`)).toEqual([
    '0.8 min',
    '1.7 min',
    '4.2 min',
  ]);
  expect(durationPoints(v)).toEqual(expectedMinutes(answers, v.panel));
});

test('a bucket without conversations shows no duration, never 0 min', async () => {
  // Whether the answered week has an empty hour depends on the clock it was answered at, so
  // this test empties one itself: the backend answers null there (CONTRACT: statistics).
  const emptied: Answers = JSON.parse(JSON.stringify(answers));
  const frames = emptied.panels[String(panel('Conversation duration').id)].frames;
  const times = frames[0].data!.values[0] as number[];
  const middle = Math.floor(times.length / 2);
  for (const f of frames) {
    (f.data!.values[1] as Array<number | null>)[middle] = null;
  }
  const v = await previewPanel(emptied, panel('Conversation duration'));
  const points = durationPoints(v);
  expect(points.Median.map(([t]) => t)).not.toContain(times[middle]);
  expect(points).toEqual(expectedMinutes(emptied, v.panel));
  expect(points.Median.length).toBeGreaterThan(0);
});

/** [time, minutes] of each shown series of the duration panel, by series name. */
function durationPoints(v: PanelView): Record<string, Array<[number, number | null]>> {
  const out: Record<string, Array<[number, number | null]>> = {};
  for (const f of v.frames) {
    const time = f.fields.find((fl) => fl.type === FieldType.time)!;
    for (const fl of f.fields.filter((fl) => fl.type === FieldType.number)) {
      out[fl.name] = fl.values.map((m, i) => [time.values[i], m]);
    }
  }
  return out;
}

/** What the panel must show, from the backend's seconds alone: each non-null bucket ÷ 60. */
function expectedMinutes(a: Answers, p: PanelModel): Record<string, Array<[number, number | null]>> {
  const names: Record<string, string> = { A: 'Median', B: '90th percentile' };
  const out: Record<string, Array<[number, number | null]>> = {};
  for (const f of a.panels[String(p.id)].frames) {
    const [times, seconds] = f.data!.values as [number[], Array<number | null>];
    out[names[f.schema!.refId!]] = times.flatMap((t, i) => (seconds[i] === null ? [] : [[t, seconds[i]! / 60]]));
  }
  return out;
}

test('user messages per conversation say their unit', () => {
  expect(text(views['User messages'].values[0])).toMatch(/^\d+\.\d messages$/);
  for (const t of [
    ...shown(views['User messages per conversation'], 'avg'),
    ...shown(views['User messages per conversation'], 'p90'),
  ]) {
    expect(t).toMatch(/ messages$/);
  }
  expect(shown(views['User messages per conversation'], 'p90').filter((t) => t.includes('.'))).toEqual([]);
});

test('top tags show their share as a number, and conversations without a tag as "No tag"', () => {
  const v = views['Top tags'];
  const percent = v.frames[0].fields.find((f) => f.name === 'percent')!;
  expect(percent.config.custom?.cellOptions?.type ?? 'auto').toBe('auto');
  for (const t of shown(v, 'percent')) {
    expect(t).toMatch(/^\d+\.\d%$/);
  }
  const tags = shown(v, 'tag');
  expect(tags).toContain('No tag');
  expect(tags).not.toContain('(none)');
  expect((panel('Top tags') as PanelModel & { description?: string }).description).toMatch(
    /No tag: conversations without a tag/
  );
});

test('conversations by tag are stacked bars, one fixed and distinct colour per tag, no tag in grey', () => {
  const v = views['Conversations started, by tag'];
  const fields = v.frames.flatMap((f) => f.fields.filter((fl) => fl.type === FieldType.number));
  const colours: Record<string, string> = {};
  for (const f of fields) {
    expect(f.config.custom.drawStyle).toBe('bars');
    expect(f.config.custom.stacking.mode).toBe('normal');
    expect({ tag: f.labels?.tag, mode: f.config.color?.mode }).toEqual({ tag: f.labels?.tag, mode: 'fixed' });
    colours[f.labels!.tag] = f.config.color!.fixedColor!;
  }
  expect(Object.keys(colours).length).toBeGreaterThanOrEqual(7);
  expect(new Set(Object.values(colours)).size).toBe(Object.keys(colours).length);
  expect(colours).toMatchObject({ resolved: 'green', liveChat: 'orange', thumbsDown: 'red', '(none)': '#8e8e8e' });
  expect(v.names).toContain('No tag');
  expect(v.names).not.toContain('(none)');
});

test('recent conversation ids are shown whole and still open their transcript', () => {
  const v = views['Recent conversations'];
  const id = v.frames[0].fields.find((f) => f.name === 'id')!;
  // 32 hexadecimal characters at Grafana's table font (about 7.5 px each) and the cell's padding.
  expect(id.config.custom?.minWidth).toBeGreaterThanOrEqual(32 * 7.5 + 16);
  expect(id.config.links?.length).toBe(1);
});

// A laptop's dashboard: about 1,200 px wide beside Grafana's docked menu, 24 columns
// with 8 px between panels. A panel header keeps 8 px padding each side and 20 px for
// the description's icon; titles are about 7.5 px a character.
test('every stat title fits its panel on a 1,200 px wide dashboard', () => {
  const column = (1200 + 8) / 24;
  for (const p of allPanels(answers).filter((p) => p.type === 'stat')) {
    const room = p.gridPos.w * column - 8 - 16 - 20;
    expect({ title: p.title, fits: room >= p.title.length * 7.5 }).toEqual({ title: p.title, fits: true });
  }
});
