'use strict';
// The pages under the site's real Content-Security-Policy (the scenarios bypass it to inject
// axe): app.js, served from the site itself, runs — the password fields get their show/hide
// button, the error summary takes the focus — and the browser reports no CSP violation.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const steps = require('../lib/steps');

scenario('Pages under the site\'s CSP', 'csp', async (run) => {
  const { page } = run;
  const violations = [];
  await page.exposeFunction('reportViolation', (text) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window.reportViolation(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });
  assert.ok((await page.goto('/')).headers()['content-security-policy'].includes("script-src 'self'"));

  await steps.openLogin(run);
  const toggle = page.locator('button[data-password-toggle][aria-controls="f-password"]');
  assert.equal(await toggle.isVisible(), true, 'app.js ran: the show/hide button is shown');
  await page.locator('#f-password').fill('not the password');
  await toggle.click();
  assert.equal(await page.locator('#f-password').getAttribute('type'), 'text', 'the button shows the password');
  assert.equal(await toggle.getAttribute('aria-label'), run.t('password-hide-label'));
  await run.screen('login-password-shown');

  await page.locator('#f-identifier').fill('');
  await run.go(run.button('action-sign-in'));
  const focused = await page.evaluate(() => document.activeElement && document.activeElement.hasAttribute('data-error-summary'));
  assert.ok(focused, 'app.js moved the focus to the error summary');
  await run.screen('login-refused');

  assert.deepEqual(violations, [], 'CSP violations');
}, {
  variants: [{ lang: 'vi', width: 360, enforceCsp: true }, { lang: 'en', width: 1280, enforceCsp: true }],
});
