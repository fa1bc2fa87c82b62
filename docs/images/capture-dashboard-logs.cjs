// Captures docs/images/dashboard-structured-logs.png: the Aspire dashboard's Structured logs page, where the services'
// log events arrive over OTLP, each with its trace id. Driven over the DevTools protocol like
// capture-dashboard-trace.cjs (the dashboard renders over a live connection).
//   npm install --prefix /tmp/shot playwright-core
//   NODE_PATH=/tmp/shot/node_modules node docs/images/capture-dashboard-logs.cjs <login URL> [out.png]
// Post a few events first, so the worker's "Processed event" lines are on the page.
const { chromium } = require('playwright-core');

(async () => {
  const [loginUrl, out = 'docs/images/dashboard-structured-logs.png'] = process.argv.slice(2);
  if (!loginUrl) {
    console.error('usage: capture-dashboard-logs.cjs <login URL> [out.png]');
    process.exit(2);
  }
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
    await page.goto(loginUrl, { waitUntil: 'networkidle' });
    const origin = new URL(loginUrl).origin;
    await page.goto(`${origin}/structuredlogs`, { waitUntil: 'networkidle' });
    // The log entries arrive over the page's live connection after the first render.
    await page.waitForTimeout(4000);
    const close = page.locator('.dashboard-message-bar-dismiss').first();
    if (await close.count() > 0) {
      await close.click().catch(() => {});
      await page.waitForTimeout(500);
    }
    await page.screenshot({ path: out });
    console.log(`saved ${out}`);
  } finally {
    await browser.close();
  }
})().catch(err => { console.error(err); process.exit(1); });
