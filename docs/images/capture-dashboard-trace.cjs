// Captures docs/images/dashboard-trace.png: the Aspire dashboard's trace view of one POST.
// The dashboard is a Blazor app that renders over a live connection, so a plain `chromium --screenshot` shows a blank
// page; this drives headless Chromium over the DevTools protocol instead.
//   npm install --prefix /tmp/shot playwright-core
//   NODE_PATH=/tmp/shot/node_modules node docs/images/capture-dashboard-trace.cjs <login URL> <trace id> [out.png]
// The login URL is the one the AppHost prints; the trace id is on the worker's "Processed event" line (trace=...).
const { chromium } = require('playwright-core');

(async () => {
  const [loginUrl, traceId, out = 'docs/images/dashboard-trace.png'] = process.argv.slice(2);
  if (!loginUrl || !traceId) {
    console.error('usage: capture-dashboard-trace.cjs <login URL> <trace id> [out.png]');
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
    await page.goto(`${origin}/traces/detail/${traceId}`, { waitUntil: 'networkidle' });
    // The spans arrive over the page's live connection after the first render.
    await page.waitForTimeout(4000);
    // Without a trusted development certificate the dashboard shows a banner about it; it does not matter over
    // http on loopback, and it covers the top of the trace.
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
