import { expect, Page, test } from '@playwright/test';
import fs from 'fs';
import path from 'path';

import { expectedAlertStates } from '../src/preview/expectedAlerts';
import { openHarness, shot } from './harness';

// The provisioned dashboard drawn by @grafana/ui in Chromium from the backend's
// answers (see harness/dashboard.tsx). What Jest checks with @grafana/data's
// numbers, this checks on screen: every panel draws, with Grafana's styles and icons.
const answers = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../harness/preview/answers.json'), 'utf8'));
// Every panel, those of collapsed rows too, as the preview draws them.
const panels: Array<{ id: number; type: string; title: string }> = answers.dashboard.panels.flatMap((x: any) => [
  x,
  ...(x.panels ?? []),
]);
/** The colour name of the threshold step a value falls in. */
function thresholdColour(steps: Array<{ value: number | null; color: string }>, value: number): string {
  let colour = steps[0].color;
  for (const s of steps) {
    if (s.value === null || value >= s.value) {
      colour = s.color;
    }
  }
  return colour;
}

/** The first colour of a CSS value, without its alpha: "rgba(242, 73, 92, 0.95) 10%…" gives "242,73,92". */
function rgbOf(css: string): string {
  const m = css.match(/rgba?\((\d+),\s*(\d+),\s*(\d+)/);
  return m ? `${m[1]},${m[2]},${m[3]}` : css;
}

/** A colour as the browser computes it, from a name resolved by Grafana's theme in the page. */
async function cssColour(p: Page, name: string): Promise<string> {
  return p.evaluate((n) => {
    const el = document.createElement('span');
    el.style.color = (window as any).grafanaTheme.visualization.getColorByName(n);
    document.body.appendChild(el);
    const c = getComputedStyle(el).color;
    el.remove();
    return c;
  }, name);
}

test('every panel of the demo dashboard draws its data', async ({ page: p }) => {
  await p.setViewportSize({ width: 1640, height: 1000 });
  const missingIcons: string[] = [];
  p.on('response', (r) => {
    if (r.url().includes('/img/icons/') && r.status() !== 200) {
      missingIcons.push(r.url());
    }
  });
  const errors: string[] = [];
  p.on('pageerror', (e) => errors.push(String(e)));
  await openHarness(p, 'dashboard');
  await expect(p.getByTestId('dashboard-ready')).toBeVisible({ timeout: 20_000 });

  for (const panel of panels.filter((x) => x.type !== 'row')) {
    const el = p.getByTestId(`panel-${panel.id}`);
    await expect(el, panel.title).toBeVisible();
    await expect(el.getByText(panel.title, { exact: true }).first(), panel.title).toBeVisible();
    switch (panel.type) {
      case 'stat':
        await expect(el, panel.title).toContainText(/\d/);
        break;
      case 'bargauge': {
        // One bar per locale, each reading its own name.
        await expect(el.getByText('en_us', { exact: true }), panel.title).toBeVisible();
        await expect(el.getByText('No locale', { exact: true }), panel.title).toBeVisible();
        // Each value takes its colour from Grafana's display processor: never the grey
        // of a bar gauge without one, and for thresholds the colour of its step.
        const values = el.getByTestId('data-testid Bar gauge value');
        const colours = await values.evaluateAll((els) => els.map((e) => getComputedStyle(e).color));
        const texts = await values.allInnerTexts();
        expect(colours.length, panel.title).toBeGreaterThan(1);
        const fc = (panel as any).fieldConfig.defaults;
        for (const [i, colour] of colours.entries()) {
          expect({ panel: panel.title, text: texts[i], grey: /^rgb\((\d+), \1, \1\)$/.test(colour) }).toEqual({
            panel: panel.title,
            text: texts[i],
            grey: false,
          });
          if (fc.color?.mode === 'thresholds') {
            const value = parseFloat(texts[i].replace(/[^\d.-]/g, ''));
            expect({ panel: panel.title, text: texts[i], colour }).toEqual({
              panel: panel.title,
              text: texts[i],
              colour: await cssColour(p, thresholdColour(fc.thresholds.steps, value)),
            });
          }
        }
        // LCD cells take the colour of the threshold step of their own position (lit,
        // or dimmed when above the value): never the grey of a gauge without Grafana's
        // display processor.
        if ((panel as any).options.displayMode === 'lcd' && fc.color?.mode === 'thresholds') {
          const allowed = await Promise.all(
            fc.thresholds.steps.map(async (st: { color: string }) => rgbOf(await cssColour(p, st.color)))
          );
          const cells: string[][] = await values.evaluateAll((els) =>
            els.map((v) =>
              // The cells are the leaf boxes beside the value: siblings of it in Grafana
              // 12, inside one row of their own in Grafana 13.
              [...v.parentElement!.querySelectorAll('div')]
                .filter((c) => !v.contains(c) && c.children.length === 0)
                .map((c) => {
                  const st = getComputedStyle(c);
                  return st.backgroundImage !== 'none' ? st.backgroundImage : st.backgroundColor;
                })
            )
          );
          for (const [i, row] of cells.entries()) {
            expect(row.length, `${panel.title} ${texts[i]}`).toBeGreaterThan(1);
            const lit = row.filter((c) => c.includes('0.95'));
            expect(lit.length, `${panel.title} ${texts[i]} has lit cells`).toBeGreaterThan(0);
            for (const c of row) {
              expect({
                panel: panel.title,
                text: texts[i],
                cell: allowed.includes(rgbOf(c)) ? 'a threshold colour' : c,
              }).toEqual({
                panel: panel.title,
                text: texts[i],
                cell: 'a threshold colour',
              });
            }
          }
        }
        break;
      }
      case 'timeseries':
        await expect(el.locator('canvas').first(), panel.title).toBeVisible();
        await expect(
          el.locator('[class*="LegendItem"], [class*="legend"] button, li').first(),
          panel.title
        ).toBeVisible();
        break;
      case 'table': {
        await expect(el.getByRole('row').nth(1), panel.title).toBeVisible();
        // A gauge cell whose config shows its value shows a number, inside the panel.
        const gaugeShowsValue = JSON.stringify((panel as any).fieldConfig).match(
          /"type":"gauge"(?![^}]*"valueDisplayMode":"hidden")/
        );
        if (gaugeShowsValue) {
          const values = el.getByTestId('data-testid Bar gauge value');
          expect(await values.count(), panel.title).toBeGreaterThan(0);
          const box = (await el.boundingBox())!;
          for (const v of await values.all()) {
            await expect(v, panel.title).toHaveText(/\d/);
            const b = (await v.boundingBox())!;
            expect({ panel: panel.title, inside: b.x + b.width <= box.x + box.width + 1 }).toEqual({
              panel: panel.title,
              inside: true,
            });
          }
        }
        break;
      }
      case 'barchart': {
        // A bar for every row of the frame, drawn on uPlot's canvas.
        const rows = answers.panels[String(panel.id)].frames[0].data.values[0].length;
        const chart = el.getByTestId('bar-chart');
        await expect(chart.locator('canvas').first(), panel.title).toBeVisible();
        await expect(chart, panel.title).toHaveAttribute('data-bars', String(rows));
        await expect(chart, panel.title).toHaveAttribute(
          'data-bar-rows',
          Array.from({ length: rows }, (_, i) => i).join(',')
        );
        break;
      }
      case 'alertlist': {
        // Each rule, in title order, with the state its queries' answers give it.
        const expected = expectedAlertStates(answers.rules);
        const rules = el.getByTestId('alert-rule');
        await expect(rules, panel.title).toHaveCount(expected.length);
        for (const [i, r] of expected.entries()) {
          await expect(rules.nth(i), panel.title).toContainText(r.title);
          await expect(rules.nth(i), panel.title).toHaveAttribute('data-state', r.state);
          await expect(rules.nth(i), panel.title).toContainText(r.state);
          if (r.instances.length > 1) {
            const shown = await rules
              .nth(i)
              .getByTestId('alert-instance')
              .evaluateAll((els) =>
                els.map((e) => [JSON.parse(e.getAttribute('data-labels')!), e.getAttribute('data-state')])
              );
            expect(shown, r.title).toEqual(r.instances.map((x) => [x.labels, x.state]));
          }
        }
        break;
      }
    }
    await el.screenshot({ path: `test-results/screenshots/panel-${panel.id}.png` });
  }
  // Panel descriptions show Grafana's info icon, fetched like Grafana fetches it.
  await expect(p.locator('[data-testid="panel-2"] svg').first()).toBeVisible();
  expect(missingIcons).toEqual([]);
  expect(errors).toEqual([]);
  await shot(p, 'dashboard');
});
