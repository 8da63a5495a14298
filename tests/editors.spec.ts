import { expect, test } from '@playwright/test';

import { openHarness, shot } from './harness';

test('config editor shows every setting and keeps the key secret', async ({ page: p }) => {
  await openHarness(p, 'config');
  for (const label of [
    'API key',
    'Base URL',
    'Default bot',
    'Known bots',
    'Requests per second',
    'Timeout (seconds)',
    'Max records per query',
    'Live minutes',
    'Cache minutes',
  ]) {
    await expect(p.getByText(label, { exact: false }).first()).toBeVisible();
  }
  await expect(p.getByPlaceholder('https://api.converseapps.com')).toBeVisible();
  await expect(p.getByText(/Account > API/)).toBeVisible();
  // A configured key shows as configured, never as its value, and can be reset.
  await expect(p.locator('#agentx-api-key')).toHaveValue('configured');
  await p.getByRole('button', { name: 'Reset' }).click();
  await expect(p.getByPlaceholder('Paste the Export API key')).toBeEditable();
  await shot(p, 'config-editor');
});

test('query editor for a time series shows its fields and fills the pickers', async ({ page: p }) => {
  await openHarness(p, 'query', { refId: 'A', queryType: 'tagRate', tag: 'liveChat', groupBy: 'locale' });
  await expect(p.getByText('Group by')).toBeVisible();
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
});

test('query editor for messages shows the table fields and filters', async ({ page: p }) => {
  await openHarness(p, 'query', { refId: 'B', queryType: 'messages', filters: { tags: ['liveChat'] } });
  await expect(p.getByText('Conversation ID')).toBeVisible();
  await expect(p.getByPlaceholder('10000')).toBeVisible();
  await expect(p.getByText('Group by')).toHaveCount(0);
  await p.getByRole('button', { name: 'Metadata filter' }).click();
  await expect(p.getByPlaceholder('value (compared as text)')).toBeVisible();
  await shot(p, 'query-editor-messages');
});
