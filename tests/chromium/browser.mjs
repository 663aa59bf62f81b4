// A real browser for oauthcli's page tests: Debian's chromium, headless, driven by
// playwright-core (no browser download: the system's /usr/bin/chromium).
//
//   node tests/chromium/browser.mjs URL SHOTS_DIR
//
// URL is the test provider's authorization URL. The script logs in as alice on the
// provider's development pages (devInteractions: a login form, then a consent form), follows
// the provider to oauthcli's loopback callback and on to its final page, and there:
//   - takes a screenshot in light (SHOTS_DIR/light.png) and in dark (SHOTS_DIR/dark.png)
//     colour schemes, switching the page's `prefers-color-scheme` as a user's system does;
//   - reads what the page rendered: its address, title, heading, and the computed colours of
//     the page and of the card in each scheme.
// It prints one JSON object on stdout: {url, title, heading, light: {background, card,
// heading}, dark: {...}, console: [every console message of the final page, with its type]}.
// A Content-Security-Policy violation (a style or anything else the page's CSP blocks) is a
// console error in Chromium, so `console` empty means none happened.
//
// Environment: CHROMIUM (default /usr/bin/chromium).

import { chromium } from 'playwright-core';

const [url, shots] = process.argv.slice(2);
if (!url || !shots) {
  console.error('usage: browser.mjs URL SHOTS_DIR');
  process.exit(2);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  headless: true,
  // No user namespaces for a sandbox in a container; no GPU; /dev/shm may be small.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});
try {
  const context = await browser.newContext({ colorScheme: 'light', viewport: { width: 800, height: 600 } });
  const page = await context.newPage();
  const consoleMessages = [];
  let final = false;
  page.on('console', (msg) => {
    if (final) consoleMessages.push({ type: msg.type(), text: msg.text() });
  });
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) final = new URL(frame.url()).pathname === '/done';
  });

  await page.goto(url);
  // The provider's login form, then its consent form.
  await page.fill('input[name="login"]', 'alice');
  await page.fill('input[name="password"]', 'x');
  await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
  // Consent; the provider then redirects to the callback, which redirects to /done.
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/done', { timeout: 30000 }),
    page.click('button[type="submit"]'),
  ]);
  await page.waitForLoadState('load');

  const look = () => page.evaluate(() => {
    const style = (el) => getComputedStyle(el);
    return {
      background: style(document.body).backgroundColor,
      card: style(document.querySelector('main')).backgroundColor,
      heading: style(document.querySelector('h1')).color,
    };
  });
  await page.screenshot({ path: `${shots}/light.png` });
  const light = await look();
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: `${shots}/dark.png` });
  const dark = await look();

  const report = {
    url: page.url(),
    title: await page.title(),
    heading: await page.textContent('h1'),
    light,
    dark,
    console: consoleMessages,
  };
  process.stdout.write(`${JSON.stringify(report)}\n`);
} finally {
  await browser.close();
}
