import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export interface PageUser {
  /** A new tab (its own sessionStorage) on the app under test. */
  page(): Promise<Page>;
  /** Every URL the browser asked for, to check no key ever travels in one. */
  urls: string[];
}

/**
 * Debian's Chromium (scripts/lib/tools.js installs it) driven headless by playwright-core, with a
 * fresh profile and nothing that phones home, for the suite's lifetime.
 */
export function useBrowser(): PageUser {
  let browser: BrowserContext;
  let profile: string;
  const user: PageUser = {
    urls: [],
    async page() {
      const page = await browser.newPage();
      page.on('request', (r) => user.urls.push(r.url()));
      page.setDefaultTimeout(30_000);
      return page;
    },
  };
  beforeAll(async () => {
    profile = mkdtempSync(path.join(tmpdir(), 'leadrelay-chromium-'));
    // A persistent context is how playwright takes a user-data-dir of our own; each tab still has its own sessionStorage.
    browser = await chromium.launchPersistentContext(profile, {
      viewport: DESKTOP,
      // Lets the tests inject axe-core past the pages' same-origin-only script policy.
      bypassCSP: true,
      executablePath: process.env.LEADRELAY_CHROMIUM ?? '/usr/bin/chromium',
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return user;
}

export async function signIn(page: Page, url: string, key: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel(/API key/).fill(key);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/**
 * The page at desktop and phone size: with LEADRELAY_SCREENSHOTS=<folder>, saved as <name>-desktop.png
 * and <name>-phone.png (for the README). Answers what sticks out sideways on the phone: the page
 * itself, or any element reaching past the screen's edge outside a box that scrolls on its own.
 */
export async function bothSizes(page: Page, name: string): Promise<string[]> {
  const dir = process.env.LEADRELAY_SCREENSHOTS;
  await page.setViewportSize(DESKTOP);
  if (dir) await page.screenshot({ path: path.join(dir, `${name}-desktop.png`), fullPage: true });
  await page.setViewportSize(PHONE);
  const overflowing = await page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrollsOnItsOwn = (el: Element | null): boolean => {
      for (let e = el; e && e !== document.body; e = e.parentElement) if (['auto', 'scroll'].includes(getComputedStyle(e).overflowX)) return true;
      return false;
    };
    const out = Array.from(document.body.querySelectorAll('*'))
      .filter((e) => e.getBoundingClientRect().right > width + 1 && !scrollsOnItsOwn(e.parentElement))
      .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}${e.className ? `.${String(e.className).split(' ').join('.')}` : ''}`);
    return document.documentElement.scrollWidth > width ? [`page is ${document.documentElement.scrollWidth}px wide`, ...out] : out;
  });
  if (dir) await page.screenshot({ path: path.join(dir, `${name}-phone.png`), fullPage: true });
  await page.setViewportSize(DESKTOP);
  return overflowing;
}

/** axe-core's serious and critical accessibility violations on the page as it is now, by rule and element. */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: require.resolve('axe-core/axe.min.js') });
  const violations = await page.evaluate(async () => (await (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; impact: string; nodes: Array<{ target: string[] }> }> }> } }).axe.run()).violations);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
