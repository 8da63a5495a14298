import { defineConfig } from '@playwright/test';

// Renders the editors' harness page (harness/) in Debian's Chromium: no Grafana
// server and no downloaded browser are needed.
export default defineConfig({
  testDir: './tests',
  outputDir: './test-results',
  reporter: [['list']],
  timeout: 30_000,
  use: {
    headless: true,
    viewport: { width: 1200, height: 800 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
});
