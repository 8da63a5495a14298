import { expect, test } from '@playwright/test';
import fs from 'fs';
import path from 'path';

import { openHarness, shot } from './harness';

// The provisioned dashboard drawn by @grafana/ui in Chromium from the backend's
// answers (see harness/dashboard.tsx). What Jest checks with @grafana/data's
// numbers, this checks on screen: every panel draws, with Grafana's styles and icons.
const answers = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../harness/preview/answers.json'), 'utf8'));
const panels: Array<{ id: number; type: string; title: string }> = answers.dashboard.panels;

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
      case 'bargauge':
        // One bar per locale, each reading its own name.
        await expect(el.getByText('en_us', { exact: true }), panel.title).toBeVisible();
        await expect(el.getByText('(none)', { exact: true }), panel.title).toBeVisible();
        break;
      case 'timeseries':
        await expect(el.locator('canvas').first(), panel.title).toBeVisible();
        await expect(
          el.locator('[class*="LegendItem"], [class*="legend"] button, li').first(),
          panel.title
        ).toBeVisible();
        break;
      case 'table':
      case 'barchart':
        await expect(el.getByRole('row').nth(1), panel.title).toBeVisible();
        break;
    }
    await el.screenshot({ path: `test-results/screenshots/panel-${panel.id}.png` });
  }
  // Panel descriptions show Grafana's info icon, fetched like Grafana fetches it.
  await expect(p.locator('[data-testid="panel-2"] svg').first()).toBeVisible();
  expect(missingIcons).toEqual([]);
  expect(errors).toEqual([]);
  await shot(p, 'dashboard');
});
