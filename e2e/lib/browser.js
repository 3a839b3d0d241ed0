'use strict';
// Debian's Chromium driven by playwright-core, and a `Run`: one pass of a scenario in one
// language at one width, in a fresh browser context. Every screen a run shows is kept as a
// full-page PNG under test-results/<run>/<nn>-<screen>.png and scanned with axe-core.

const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const i18n = require('./i18n');
const { RESULTS } = require('./paths');

const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
// The machine reaches no network but the package registries: nothing in the background.
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync',
];
const AXE = require.resolve('axe-core/axe.min.js');
/** Impacts that fail a screen; minor and moderate ones are reported in axe.json only. */
const BLOCKING = new Set(['serious', 'critical']);

/** Every scenario runs in both languages, on a phone and on a desktop. */
const VARIANTS = [
  { lang: 'vi', width: 360 },
  { lang: 'vi', width: 1280 },
  { lang: 'en', width: 360 },
  { lang: 'en', width: 1280 },
];

function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

function viewportOf(width) {
  const phone = width <= 480;
  return {
    viewport: { width, height: phone ? 780 : 900 },
    isMobile: phone,
    hasTouch: phone,
  };
}

class Run {
  /**
   * @param {import('playwright-core').Browser} browser
   * @param {{lang: 'vi'|'en', width: number, js?: boolean}} variant
   */
  static async start(browser, base, scenario, { lang, width, js = true, enforceCsp = false }) {
    const name = `${scenario}${js ? '' : '-nojs'}-${lang}-${width}`;
    const dir = path.join(RESULTS, name);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir, { recursive: true });
    const other = lang === 'vi' ? 'en-US' : 'vi-VN';
    const context = await browser.newContext({
      ...viewportOf(width),
      baseURL: base,
      // The browser asks for the other language: each run switches with the header's links.
      locale: other,
      javaScriptEnabled: js,
      // axe is injected as an inline script, which the site's CSP (script-src 'self') forbids.
      // Pages without JavaScript, or under the real CSP, are scanned from a copy instead.
      bypassCSP: js && !enforceCsp,
    });
    context.setDefaultTimeout(10_000);
    context.setDefaultNavigationTimeout(15_000);
    const page = await context.newPage();
    const scanLivePage = js && !enforceCsp;
    return new Run({ browser, base, name, dir, lang, width, js, scanLivePage, context, page });
  }

  constructor(fields) {
    Object.assign(this, fields);
    this.screens = 0;
    this.switched = false;
    this.axe = [];
    this.scriptErrors = [];
    this.page.on('pageerror', (error) => this.scriptErrors.push(`page error: ${error.message}`));
    this.page.on('console', (message) => {
      if (message.type() === 'error') this.scriptErrors.push(`console: ${message.text()}`);
    });
  }

  /** The page text of `key` in this run's language. */
  t(key, args) {
    return i18n.t(this.lang, key, args);
  }

  button(key, args) {
    return this.page.getByRole('button', { name: this.t(key, args), exact: true });
  }

  link(key, args) {
    return this.page.getByRole('link', { name: this.t(key, args), exact: true });
  }

  /** Clicks something that submits a form or follows a link, and waits for the next page. */
  async go(locator) {
    await Promise.all([this.page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  }

  /**
   * Opens `url`; the first time, switches to the run's language with the header's link (the
   * browser asked for the other one) and checks that the choice holds.
   */
  async open(url) {
    await this.page.goto(url);
    if (!this.switched) {
      const target = this.page.locator(`.lang-switch a[hreflang="${this.lang}"]`);
      assert.equal(await target.getAttribute('aria-current'), null,
        'the page should first be in the browser\'s language');
      await this.go(target);
      this.switched = true;
    }
    await this.expectLanguage();
  }

  async expectLanguage() {
    assert.equal(await this.page.locator('html').getAttribute('lang'), this.lang, `language of ${this.page.url()}`);
  }

  async heading() {
    return (await this.page.locator('h1').innerText()).trim();
  }

  async expectHeading(key, args) {
    await this.expectLanguage();
    assert.equal(await this.heading(), this.t(key, args), `h1 of ${this.page.url()}`);
  }

  /** The path of the page shown, without the query. */
  path() {
    return new URL(this.page.url()).pathname;
  }

  /**
   * Keeps the screen as test-results/<run>/<nn>-<name>.png and checks it with axe-core; `page`
   * is another window of the run (e.g. the signing agent's) when it is not the run's own.
   */
  async screen(name, page = this.page) {
    this.screens += 1;
    const file = `${String(this.screens).padStart(2, '0')}-${name}`;
    await page.screenshot({ path: path.join(this.dir, `${file}.png`), fullPage: true });
    const violations = await this.scan(page);
    for (const violation of violations) this.axe.push({ screen: file, url: page.url(), ...violation });
    const blocking = violations.filter((violation) => BLOCKING.has(violation.impact));
    assert.deepEqual(blocking, [], `axe found serious or critical problems on ${file} (${page.url()})`);
  }

  async scan(page = this.page) {
    return this.scanLivePage ? scanLive(page) : this.scanCopy(page);
  }

  /**
   * A page shown without JavaScript (or under the real CSP) cannot run axe: its DOM is copied
   * into a context that runs scripts (the page's own script blocked, so the copy stays as the
   * person saw it) at the same address and size, with the site's stylesheet, and scanned there.
   */
  async scanCopy(page = this.page) {
    if (!this.scanContext) {
      this.scanContext = await this.browser.newContext({
        ...viewportOf(this.width), javaScriptEnabled: true, bypassCSP: true,
      });
      this.scanPage = await this.scanContext.newPage();
      await this.scanPage.route(
        (url) => url.pathname.startsWith('/static/') && url.pathname.endsWith('.js'),
        (route) => route.fulfill({ status: 200, contentType: 'text/javascript', body: '' }),
      );
    }
    const url = page.url();
    const html = await page.content();
    await this.scanPage.route(url, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }), { times: 1 });
    await this.scanPage.goto(url);
    return scanLive(this.scanPage);
  }

  /** After a failure: what the page looked like. */
  async failureShot() {
    try {
      await this.page.screenshot({ path: path.join(this.dir, '99-failure.png'), fullPage: true });
    } catch {
      // The page may be gone; the failure itself is what matters.
    }
  }

  async close() {
    fs.writeFileSync(path.join(this.dir, 'axe.json'), `${JSON.stringify(this.axe, null, 2)}\n`);
    if (this.scanContext) await this.scanContext.close();
    await this.context.close();
  }

  /** No script error and no failed load on any page of the run. */
  expectNoScriptErrors() {
    assert.deepEqual(this.scriptErrors, [], 'script errors in the browser');
  }
}

async function scanLive(page) {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((violation) => ({
      id: violation.id,
      impact: violation.impact,
      help: violation.help,
      nodes: violation.nodes.map((node) => ({ target: node.target.join(' '), summary: node.failureSummary })),
    }));
  });
}

module.exports = { VARIANTS, launchBrowser, Run };
