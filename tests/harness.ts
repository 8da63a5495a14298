import { Page } from '@playwright/test';
import fs from 'fs';
import path from 'path';

// The harness is served from a made-up origin through Playwright's request routing
// rather than from file://, where a page cannot fetch: @grafana/ui fetches its
// icons from public/build/img/icons/, as in Grafana, and here gets them from the
// package itself.
const ORIGIN = 'http://harness.test';
const DIST = path.resolve(__dirname, '../harness/dist');
const ICONS = path.resolve(__dirname, '../node_modules/@grafana/ui/dist/public/img/icons');

export async function openHarness(p: Page, view: string, query?: object, extra: Record<string, string> = {}) {
  await p.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    const icon = url.pathname.match(/^\/public\/build\/img\/icons\/(.+)$/);
    const file = icon ? path.join(ICONS, icon[1]) : path.join(DIST, url.pathname);
    if (!fs.existsSync(file) || fs.statSync(file).isDirectory()) {
      await route.fulfill({ status: 404, body: `${url.pathname} not found` });
      return;
    }
    await route.fulfill({ path: file });
  });
  const params = new URLSearchParams({ view, ...extra });
  if (query) {
    params.set('query', JSON.stringify(query));
  }
  await p.goto(`${ORIGIN}/index.html?${params}`);
}

export async function shot(p: Page, name: string) {
  await p.screenshot({ path: `test-results/screenshots/${name}.png`, fullPage: true });
}
