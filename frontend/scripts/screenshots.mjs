// Screenshots of the app in light and dark mode at 1280x800 and 1920x1080,
// with Debian's chromium. Usage:
//   node scripts/screenshots.mjs [URL] [OUTDIR] [ROUTE...]
// URL defaults to http://127.0.0.1:5173/ (npm run dev, mock backend); use
// http://127.0.0.1:34115/ for the Go dev build. ROUTE is a hash such as
// "home", "annotate"; "home+import=PATH" imports PATH through the UI first.
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

const [url = 'http://127.0.0.1:5173/', out = 'screenshots', ...routes] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--no-first-run'],
});
const sizes = [
  [1280, 800],
  [1920, 1080],
];
for (const route of routes.length ? routes : ['home']) {
  const [screen, action] = route.split('+');
  for (const [width, height] of sizes) {
    for (const scheme of ['light', 'dark']) {
      const page = await browser.newPage({ viewport: { width, height }, colorScheme: scheme });
      await page.goto(new URL(`#/${screen}`, url).toString());
      await page.waitForTimeout(700);
      if (action?.startsWith('import=')) {
        await page.getByTestId('import-path').fill(action.slice('import='.length));
        await page.getByTestId('import-submit').click();
        await page.locator('[data-testid=import-result], [data-testid=import-error]').waitFor({ timeout: 60000 });
        await page.waitForTimeout(500);
      }
      const file = join(out, `${route.replace(/[^\w-]+/g, '_')}-${width}x${height}-${scheme}.png`);
      await page.screenshot({ path: file });
      console.log(file);
      await page.close();
    }
  }
}
await browser.close();
