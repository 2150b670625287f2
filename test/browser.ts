/**
 * Headless Chromium for the browser tests (test/ui/dashboard.browser.test.ts, test/web/web.test.ts): Debian's
 * chromium at /usr/bin/chromium (or $NABLA_CHROMIUM) driven by playwright-core, which brings no browser of
 * its own. Without them the suites skip, or fail under CI (see requirements.ts).
 *
 * No wall-clock budgets: Playwright's default timeouts are off, and a wait ends on an event, either what it
 * waits for or a failure (a page error, the process under test exiting). What is left is vitest's hang
 * guard (vitest.config.ts), for a page that stops answering altogether.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';

export const CHROMIUM = process.env.NABLA_CHROMIUM || '/usr/bin/chromium';

export const playwright = await import('playwright-core').catch(() => null);

/** Why headless Chromium cannot run here, or null. */
export function chromiumMissing(): string | null {
  if (!existsSync(CHROMIUM))
    return `${CHROMIUM} does not exist (install Debian's chromium: apt-get install chromium)`;
  if (!playwright) return 'the playwright-core package is not installed (npm install)';
  return null;
}

export interface Chromium {
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions (and with `requests`, failed requests and HTTP errors). */
  problems: string[];
  /** Rejects at the first problem, or when `fail` is called: waits race it. */
  failed: Promise<never>;
  fail(err: Error): void;
  /** Resolves once `predicate(arg)`, run in the page, is truthy; rejects as soon as `failed` does. */
  waitFor<A>(predicate: string | ((arg: A) => unknown), arg?: A): Promise<void>;
  close(): Promise<void>;
}

/** Starts Chromium on a fresh profile with one page, watching it for problems. */
export async function launchChromium(opts: {
  viewport: { width: number; height: number };
  /** Also count failed requests and HTTP statuses of 400 and above as problems. */
  requests?: boolean;
}): Promise<Chromium> {
  const profile = mkdtempSync(path.join(tmpdir(), 'nabla-chromium-'));
  const context = await playwright!.chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: opts.viewport,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  context.setDefaultTimeout(0);
  context.setDefaultNavigationTimeout(0);
  const page = await context.newPage();
  const problems: string[] = [];
  let fail!: (err: Error) => void;
  const failed = new Promise<never>((_, reject) => (fail = reject));
  failed.catch(() => {}); // observed by the waits that race it
  const problem = (p: string): void => {
    problems.push(p);
    fail(new Error(p));
  };
  page.on('console', (m) => {
    if (m.type() === 'error') problem(`console error: ${m.text()}`);
  });
  page.on('pageerror', (e) => problem(`uncaught: ${e.message}`));
  if (opts.requests) {
    page.on('requestfailed', (r) => problem(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problem(`HTTP ${r.status()}: ${r.url()}`);
    });
  }
  return {
    context,
    page,
    problems,
    failed,
    fail,
    async waitFor(predicate, arg) {
      const wait = page.waitForFunction(predicate as (arg: unknown) => unknown, arg, { polling: 100 });
      wait.catch(() => {}); // left pending when `failed` wins; the page closes in afterAll
      await Promise.race([wait, failed]);
    },
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Serves folder `dir` to `page` at `origin` (module scripts need http(s), not file://), each response with
 * `headers`; a path outside the folder or a missing file is a 404. A cross-origin isolated page needs a
 * secure origin: http://localhost:port or http://127.0.0.1:port, not http://nabla.test.
 */
export async function serveFolder(
  page: Page,
  dir: string,
  { origin = 'http://nabla.test', headers = {} }: { origin?: string; headers?: Record<string, string> } = {},
): Promise<void> {
  await page.route(`${origin}/**`, (route) => {
    const rel = decodeURIComponent(new URL(route.request().url()).pathname).slice(1);
    const file = path.join(dir, rel);
    if (!file.startsWith(dir + path.sep)) return route.fulfill({ status: 404 });
    const type = file.endsWith('.html') ? 'text/html' : 'text/javascript';
    try {
      return route.fulfill({ status: 200, contentType: type, headers, body: readFileSync(file) });
    } catch {
      return route.fulfill({ status: 404 });
    }
  });
}
