'use strict';
// The language of the pages: `?lang=` on an entry point such as /login must give that
// language (negotiate.rs: "an explicit ?lang= wins"), even though /login answers with a
// redirect to the flow's page. The header links, which the scenarios use, are the other way.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');

scenario('?lang= on a page that starts a flow', 'lang-param', async (run) => {
  const { page } = run;
  // The browser asks for the other language (see Run.start).
  await page.goto(`/register?lang=${run.lang}`);
  await run.expectHeading('register-title');
  await run.screen('register');

  await page.goto(`/login?lang=${run.lang}`);
  assert.ok(run.path().startsWith('/flows/'), '/login redirects to the sign-in flow');
  await run.expectHeading('action-sign-in');
  await run.screen('login');
}, {
  variants: [{ lang: 'vi', width: 1280 }, { lang: 'en', width: 1280 }],
});
