'use strict';
// The default OTP phone has had all its texts for the day (SPEC S4, P2): at sign-in the right
// password leads to the OTP step with the limit said, no code field (none was sent, and the
// page does not claim one was), and "Mất số điện thoại nhận OTP" offered — nothing to type
// again. That button goes on to the new-phone step.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const { registerByApi, masked } = require('../lib/sandbox');
const steps = require('../lib/steps');

// `dvcid demo`'s holder budget: texts to one phone a day for sign-ins and own changes
// (registration spends the separate anonymous budget).
const DAILY_TEXTS = 10;

/**
 * The person's own app, through the JSON API. It keeps the device token the server hands out,
 * so once it has signed in, its attempts count on its own budget only (not on the shared
 * address's, which the browser below uses too).
 */
class App {
  constructor(base) {
    this.base = base;
    this.device = null;
  }

  async post(path, body, headers = {}) {
    const device = this.device ? { 'x-device-token': this.device } : {};
    const response = await fetch(`${this.base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...device, ...headers },
      body: JSON.stringify(body),
    });
    return response.json();
  }

  /** The first step of a sign-in: the right password, an OTP sent. Returns the next action. */
  async password(person, password) {
    const created = await this.post('/api/flows', { kind: 'login' });
    this.device = this.device || created.device_token;
    const act = (action) => this.post(`/api/flows/${created.flow.id}`, action,
      { 'x-flow-token': created.flow_token });
    const { flow } = await act({ action: 'sign_in', identifier: person.personal_id, password });
    return { flow, act };
  }
}

scenario('Sign-in when the OTP phone has had its texts for the day', 'sms-daily-limit', async (run, env) => {
  const { page } = run;
  const person = env.people.owner();
  const password = steps.newPassword();
  await registerByApi(env.base, person, password);
  const app = new App(env.base);
  const seen = await env.outbox.count(person.phone);
  const first = await app.password(person, password);
  const signedIn = await first.act({ action: 'otp', code: await env.outbox.otpAfter(person.phone, seen) });
  assert.equal(signedIn.flow.result, 'signed_in', JSON.stringify(signedIn.flow));
  for (let sent = 1; sent < DAILY_TEXTS; sent++) {
    const { flow } = await app.password(person, password);
    assert.equal(flow.step, 'otp', `sign-in ${sent}: ${JSON.stringify(flow.problems)}`);
    assert.deepEqual(flow.problems, [], `sign-in ${sent}`);
  }
  const texts = await env.outbox.count(person.phone);

  await steps.openLogin(run);
  await steps.submitCredentials(run, person, password);
  await run.expectHeading('flow-otp-title');
  await steps.expectFormError(run, run.t('problem-sms-daily-limit'));
  assert.equal(await steps.text(page.locator('p.lead')),
    run.t('flow-otp-not-sent', { phone: masked(person.phoneNational) }));
  assert.equal(await page.locator('#f-code').count(), 0, 'no code field: no code was sent');
  assert.equal(await env.outbox.count(person.phone), texts, 'nothing more sent to the phone');
  await run.screen('no-code');

  await run.go(run.button('otp-lost-phone'));
  await run.expectHeading('flow-new-phone-title');
}, { variants: [{ lang: 'vi', width: 360 }, { lang: 'en', width: 1280 }] });
