'use strict';
// One test file = one scenario: its own `dvcid demo` (fresh data, so sign-in throttling and
// SMS caps start from zero), one browser, and one test per variant (language × width, with or
// without JavaScript), each in a fresh browser context and with a person of its own.

const { describe, it, before, after } = require('node:test');
const { startDemo } = require('./demo');
const { VARIANTS, launchBrowser, Run } = require('./browser');
const { People, Outbox } = require('./sandbox');

/**
 * @param {string} title   what the scenario checks
 * @param {string} slug    names its result folders: test-results/<slug>-<lang>-<width>/
 * @param {(run: Run, env: {base: string, people: People, outbox: Outbox}) => Promise<void>} body
 */
function scenario(title, slug, body, { variants = VARIANTS, timeout = 120_000 } = {}) {
  describe(title, () => {
    const env = {};
    before(async () => {
      env.demo = await startDemo(slug);
      env.base = env.demo.base;
      env.browser = await launchBrowser();
      env.people = await People.load(env.base);
      env.outbox = new Outbox(env.base);
    });
    after(async () => {
      if (env.browser) await env.browser.close();
      if (env.demo) await env.demo.stop();
    });
    for (const variant of variants) {
      const js = variant.js !== false;
      const how = `${js ? '' : ' · without JavaScript'}${variant.enforceCsp ? ' · under the site\'s CSP' : ''}`;
      it(`${variant.lang} · ${variant.width} px${how}`, { timeout }, async () => {
        const run = await Run.start(env.browser, env.base, slug, variant);
        try {
          await body(run, env);
          run.expectNoScriptErrors();
        } catch (error) {
          await run.failureShot();
          throw error;
        } finally {
          await run.close();
        }
      });
    }
  });
}

module.exports = { scenario, VARIANTS };
