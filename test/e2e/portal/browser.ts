/**
 * A real Chromium for the portal tests: Debian's `chromium` (/usr/bin/chromium; .ci/run installs it)
 * driven by playwright-core, each session in a fresh user-data-dir. Screenshots go to
 * test-artifacts/portal/ (gitignored); docs/images/portal-*.png are copies of them.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Locator, type Page } from 'playwright-core';

const CHROMIUM = process.env.HERALD_CHROMIUM ?? '/usr/bin/chromium';
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const ARTIFACTS = resolve('test-artifacts/portal');

interface BrowserSession {
  readonly context: BrowserContext;
  readonly page: Page;
  /** Content-Security-Policy violations and page errors seen so far (should stay empty). */
  readonly problems: string[];
  close(): Promise<void>;
}

function chromiumMissing(): boolean {
  if (existsSync(CHROMIUM)) return false;
  console.warn(`[portal e2e] skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium)`);
  return true;
}

async function openBrowser(viewport = { width: 1280, height: 900 }): Promise<BrowserSession> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'herald-portal-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport,
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const problems: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return {
    context,
    page,
    problems,
    async close() {
      await context.close();
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** Waits until the locator is visible; `timeoutMs` bounds a wait on the pipeline, not a speed claim. */
async function visible(locator: Locator, timeoutMs = 10_000): Promise<Locator> {
  await locator.first().waitFor({ state: 'visible', timeout: timeoutMs });
  return locator;
}

async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path, fullPage: options.fullPage ?? true });
  return path;
}

export type { BrowserSession };
export { chromiumMissing, openBrowser, screenshot, visible };
