import { expect, Page, test } from '@playwright/test';
import fs from 'fs';
import { load } from 'js-yaml';
import path from 'path';

import { openHarness, shot } from './harness';

const model = async (p: Page, refId = 'A') => JSON.parse((await p.getByTestId(`model-${refId}`).textContent()) ?? '{}');
const runs = (p: Page, refId = 'A') => p.getByTestId(`runs-${refId}`);

test('config editor shows every setting, checks what is typed and keeps the key secret', async ({ page: p }) => {
  await openHarness(p, 'config');
  await expect(p.getByRole('link', { name: /documentation|view/i }).first()).toBeVisible();
  for (const label of ['API key', 'Base URL', 'Default bot', 'Known bots']) {
    await expect(p.getByText(label, { exact: false }).first()).toBeVisible();
  }
  await expect(p.getByPlaceholder('Add a bot name or id')).toBeVisible();
  await expect(p.getByText(/Account > API/)).toBeVisible();
  // The limits wait behind "Additional settings".
  await expect(p.getByText('Requests per second')).toHaveCount(0);
  await p.getByRole('button', { name: /Additional settings/ }).click();
  for (const label of [
    'Requests per second',
    'Timeout (seconds)',
    'Max records per query',
    'Live minutes',
    'Cache minutes',
  ]) {
    await expect(p.getByText(label, { exact: false }).first()).toBeVisible();
  }
  await p.locator('#agentx-requestsPerSecond').fill('0');
  await expect(p.getByText('Must be a number above 0 and at most 100 (the API allows 3)')).toBeVisible();
  await p.locator('#agentx-base-url').fill('ftp://example.com');
  await expect(p.getByText(/Must start with https:\/\//)).toBeVisible();
  // A configured key shows as configured, never as its value, and can be reset.
  await expect(p.locator('#agentx-api-key')).toHaveValue('configured');
  await shot(p, 'config-editor-invalid');
  await p.getByRole('button', { name: 'Reset' }).first().click();
  await expect(p.getByPlaceholder('Paste the Export API key')).toBeEditable();
});

test('the config editor of a data source provisioned for Grafana HA shows its settings, no error, and the shared cache', async ({
  page: p,
}) => {
  // The HA example's provisioning file, as Grafana would hand it to the editor: its
  // secrets show as configured, never as values.
  const file = load(
    fs.readFileSync(path.resolve(__dirname, '../provisioning-ha/datasources/datasources.yml'), 'utf8')
  ) as { datasources: Array<{ jsonData: Record<string, unknown>; secureJsonData?: Record<string, string> }> };
  const ds = file.datasources[0];
  const secureJsonFields = Object.fromEntries(Object.keys(ds.secureJsonData ?? {}).map((k) => [k, true]));
  await openHarness(p, 'config', undefined, { settings: JSON.stringify({ jsonData: ds.jsonData, secureJsonFields }) });
  await expect(p.locator('#agentx-base-url')).toHaveValue(String(ds.jsonData.baseUrl));
  await expect(p.locator('#agentx-api-key')).toHaveValue('configured');
  // Saved HA settings open their section, as a reader of the caption expects to see it.
  await expect(p.locator('#agentx-redis-url')).toHaveValue(String(ds.jsonData.redisUrl));
  await expect(p.locator('#agentx-redis-url')).toBeVisible();
  await expect(p.locator('[role="alert"], [class*="validationMessage"], [aria-invalid="true"]')).toHaveCount(0);
  await shot(p, 'config-editor');
});

test('query editor for a time series shows its fields and fills the pickers', async ({ page: p }) => {
  await openHarness(p, 'query', { refId: 'A', queryType: 'tagRate', tag: 'liveChat', groupBy: 'locale' });
  await expect(p.getByRole('radiogroup', { name: 'Group by' })).toBeVisible();
  await expect(p.getByRole('radio', { name: 'Locale' })).toBeChecked();
  await expect(p.getByPlaceholder('auto')).toBeVisible();
  await expect(p.getByPlaceholder('10000')).toHaveCount(0);
  // The bot picker lists the configured bots and the dashboard's variables.
  await p.locator('#agentx-bot').click();
  await expect(p.getByRole('option', { name: 'acme-support' })).toBeVisible();
  await expect(p.getByRole('option', { name: '$bot' })).toBeVisible();
  await shot(p, 'query-editor-tag-rate');
  await p.getByRole('option', { name: 'acme-support' }).click();
  await expect(p.getByTestId('model-A')).toContainText('"bot":"acme-support"');
  await expect(runs(p)).toHaveText('1');
  await p.getByText(/^Filters:/).click();
  await expect(p.getByText('With tags')).toBeVisible();
  await p.getByTestId('editor').screenshot({ path: 'test-results/screenshots/query-editor.png' });
});

test('switching the query type drops what the new type does not use, and runs once', async ({ page: p }) => {
  await openHarness(p, 'query', { refId: 'A', queryType: 'messageVolume', groupBy: 'type', bucket: '1h' });
  await p.locator('#agentx-query-type').click();
  await p.getByRole('option', { name: 'Conversation volume' }).click();
  await expect(p.getByTestId('model-A')).toContainText('"queryType":"conversationVolume"');
  const q = await model(p);
  expect(q.groupBy).toBeUndefined();
  expect(q.bucket).toBe('1h');
  await expect(runs(p)).toHaveText('1');
});

test('an incomplete query shows what is missing at its field and does not run', async ({ page: p }) => {
  await openHarness(p, 'query', { refId: 'A', queryType: 'conversationVolume' });
  await p.getByRole('radio', { name: 'Metadata' }).click();
  await expect(p.getByText('Pick the metadata key')).toBeVisible();
  await p.getByPlaceholder('auto').fill('5 minutes');
  await p.getByPlaceholder('auto').blur();
  await expect(p.getByText(/Write a duration like 15m/)).toBeVisible();
  await expect(runs(p)).toHaveText('0');
  await shot(p, 'query-editor-incomplete');
  // Completing it runs it, once per change; a blur with nothing changed does not.
  await p.getByPlaceholder('auto').fill('15m');
  await p.getByPlaceholder('auto').blur();
  await p.locator('#agentx-metadata-key').click();
  await p.getByRole('option', { name: 'plan' }).click();
  await expect(runs(p)).toHaveText('1');
  await p.getByPlaceholder('auto').focus();
  await p.getByPlaceholder('auto').blur();
  await expect(runs(p)).toHaveText('1');
});

test('query editor for messages shows the table fields and filters, summed up when closed', async ({ page: p }) => {
  await openHarness(p, 'query', { refId: 'B', queryType: 'messages', filters: { tags: ['liveChat'] } });
  await expect(p.getByPlaceholder('10000')).toBeVisible();
  await expect(p.getByText('Group by')).toHaveCount(0);
  await expect(p.getByText('Filters: with liveChat')).toBeVisible();
  await p.getByText('Filters: with liveChat').click();
  await expect(p.getByText('Conversation ID')).toBeVisible();
  await p.getByRole('button', { name: 'Metadata filter' }).click();
  await expect(p.getByRole('radiogroup', { name: 'Operator of metadata filter 1' })).toBeVisible();
  await expect(p.getByText('Pick a metadata key, or remove this filter')).toBeVisible();
  await expect(p.getByPlaceholder('compared as text')).toBeVisible();
  await expect(runs(p, 'B')).toHaveText('0');
  await shot(p, 'query-editor-messages');
});

test('pickers say when their lists cannot load, and still take typed values', async ({ page: p }) => {
  await openHarness(p, 'query', { refId: 'A', queryType: 'tagRate' }, { fail: '1' });
  await expect(p.getByText('Could not load bots (the API key was rejected); type a value')).toBeVisible();
  await expect(p.getByText('Could not load tags (unknown bot); type a value')).toBeVisible();
  await p.locator('#agentx-bot').fill('my-bot');
  await p
    .getByRole('option', { name: /my-bot/ })
    .first()
    .click();
  await expect(p.getByTestId('model-A')).toContainText('"bot":"my-bot"');
});

test('in an alert rule only time series are offered', async ({ page: p }) => {
  await openHarness(p, 'query', { refId: 'A', queryType: 'tagRate' }, { app: 'unified-alerting' });
  await p.locator('#agentx-query-type').click();
  await expect(p.getByRole('option', { name: 'Tag rate' })).toBeVisible();
  await expect(p.getByRole('option', { name: 'Conversations', exact: true })).toHaveCount(0);
  await expect(p.getByRole('option', { name: 'Values' })).toHaveCount(0);
});

test('in an alert rule the buckets follow UTC until a time zone is picked', async ({ page: p }) => {
  await openHarness(
    p,
    'query',
    { refId: 'A', queryType: 'conversationVolume', bucket: '1d' },
    { app: 'unified-alerting' }
  );
  await expect(p.getByText('Buckets follow UTC: alert rules have no dashboard', { exact: false })).toBeVisible();
  await p.locator('#agentx-timezone').click();
  await p.locator('#agentx-timezone').fill('Berlin');
  await p
    .getByRole('option', { name: /Berlin/ })
    .first()
    .click();
  await expect(p.getByTestId('model-A')).toContainText('"timezone":"Europe/Berlin"');
  await expect(p.getByText('Buckets follow Europe/Berlin')).toBeVisible();
  await shot(p, 'query-editor-timezone');
});

test('the annotation editor shows what runs: bot, filters, 500 marks', async ({ page: p }) => {
  await openHarness(p, 'annotation', { refId: 'Anno', filters: { tags: ['liveChat'] } });
  await expect(p.locator('#agentx-annotation-limit')).toHaveValue('500');
  await expect(p.getByText('Filters: with liveChat')).toBeVisible();
  await expect(p.getByText('Query type')).toHaveCount(0);
  await shot(p, 'annotation-editor');
});

test('the query help shows an example per query type and puts a clicked one in the query', async ({ page: p }) => {
  await openHarness(p, 'help', { refId: 'B', queryType: 'conversations', bot: 'acme-support' });
  for (const t of ['conversations', 'transcript', 'tagRate', 'values']) {
    await expect(p.getByTestId(`query-help-${t}`)).toBeVisible();
  }
  await shot(p, 'query-help');
  await p.getByTestId('query-help-tagRate').getByRole('button', { name: 'Use this query' }).click();
  const q = await model(p, 'B');
  expect(q).toEqual({ refId: 'B', bot: 'acme-support', queryType: 'tagRate', tag: 'resolved', bucket: '1d' });
});

test('message queries filter by message type and every query can leave out locales', async ({ page: p }) => {
  await openHarness(p, 'query', { refId: 'A', queryType: 'transcript', bot: 'acme-support' });
  await p.getByText(/^Filters:/).click();
  await expect(p.getByText('Not locales')).toBeVisible();
  await p.locator('#agentx-filter-types').click();
  await p.getByRole('option', { name: 'UserInput' }).click();
  await expect(p.getByTestId('model-A')).toContainText('"types":["UserInput"]');
  await expect(p.getByText(/^Filters:.*type UserInput/)).toBeVisible();
});
