'use strict';
// Scenario 10: a relying service signs a person in through the portal (OpenID Connect, O1).
// The demo's client `dvc-demo` sends the browser to /authorize with the run's language
// (ui_locales) and the person's ID (login_hint) → the sign-in page in that language, naming
// the service, with the ID filled in → password → SMS OTP → back at the service's redirect
// URI with a code, its state and the issuer (RFC 9207) → a second request with prompt=none comes back at once
// (single sign-on) → logout without an id_token_hint asks first → the service's registered
// post-logout address → prompt=none now answers login_required.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const { registerByApi } = require('../lib/sandbox');
const { CLIENT_ID, authorizeUrl, received } = require('../lib/oidc');
const steps = require('../lib/steps');

scenario('A relying service signs a person in through the portal', 'relying-service', async (run, env) => {
  const { page } = run;
  const person = env.people.owner();
  const password = steps.newPassword();
  await registerByApi(env.base, person, password);

  await page.goto(authorizeUrl(env.base, {
    ui_locales: run.lang, login_hint: person.personal_id, state: 'first',
  }));
  await run.expectHeading('action-sign-in');
  assert.equal(await page.locator('#f-identifier').inputValue(), person.personal_id,
    'the login_hint fills in the ID');
  assert.equal(await steps.text(page.locator('.for-service')),
    run.t('flow-for-service', { service: 'Dịch vụ công mẫu (demo)' }),
    'the sign-in page names the service the person is signing in to');
  await run.screen('rp-login');
  const seen = await env.outbox.count(person.phone);
  await page.locator('#f-password').fill(password);
  await run.go(run.button('action-sign-in'));
  await steps.expectOtpStep(run, person.phoneNational);
  await steps.submitOtp(run, await env.outbox.otpAfter(person.phone, seen));
  const first = received(run, env.base);
  assert.match(first.get('code') || '', /^[A-Za-z0-9_-]{20,}$/, 'a code came back');
  assert.equal(first.get('state'), 'first');
  assert.equal(first.get('iss'), env.base, 'the issuer is named (RFC 9207)');

  await page.goto(authorizeUrl(env.base, { prompt: 'none', state: 'again' }));
  const again = received(run, env.base);
  assert.equal(again.get('error'), null, 'signed in already: no error');
  assert.ok(again.get('code'), 'single sign-on: a code without signing in again');
  assert.notEqual(again.get('code'), first.get('code'));

  const logout = new URL('/logout', env.base);
  logout.searchParams.set('client_id', CLIENT_ID);
  logout.searchParams.set('post_logout_redirect_uri', `${env.base}/`);
  logout.searchParams.set('state', 'bye');
  await page.goto(logout.toString());
  await run.expectHeading('logout-confirm-title');
  await run.screen('rp-logout-confirm');
  // The confirmation's own button (the header has a sign-out button too).
  await run.go(page.locator('main').getByRole('button', { name: run.t('action-sign-out'), exact: true }));
  const back = new URL(page.url());
  assert.equal(back.pathname, '/', 'back at the registered post-logout address');
  assert.equal(back.searchParams.get('state'), 'bye');

  await page.goto(authorizeUrl(env.base, { prompt: 'none', state: 'after' }));
  const after = received(run, env.base);
  assert.equal(after.get('error'), 'login_required', 'the session ended with the logout');
  assert.equal(after.get('state'), 'after');
});
