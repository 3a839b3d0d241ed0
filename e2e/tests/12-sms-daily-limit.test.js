'use strict';
// The default OTP phone has had all its texts for the day (SPEC S4, P2): at sign-in the right
// password leads to the OTP step with the limit said, no code field (none was sent, and the
// page does not claim one was), and "Mất số điện thoại nhận OTP" offered — nothing to type
// again. That button goes on to the new-phone step.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const { registerByApi, masked } = require('../lib/sandbox');
const steps = require('../lib/steps');

// `dvcid demo`'s holder budget: texts to one phone a day for sign-ins and own changes.
const DAILY_TEXTS = 10;

/** The first step of a sign-in through the JSON API: the right password, an OTP sent. */
async function passwordByApi(base, person, password) {
  const json = { 'content-type': 'application/json' };
  const created = await (await fetch(`${base}/api/flows`, {
    method: 'POST', headers: json, body: JSON.stringify({ kind: 'login' }),
  })).json();
  const response = await fetch(`${base}/api/flows/${created.flow.id}`, {
    method: 'POST',
    headers: { ...json, 'x-flow-token': created.flow_token },
    body: JSON.stringify({ action: 'sign_in', identifier: person.personal_id, password }),
  });
  return (await response.json()).flow;
}

scenario('Sign-in when the OTP phone has had its texts for the day', 'sms-daily-limit', async (run, env) => {
  const { page } = run;
  const person = env.people.owner();
  const password = steps.newPassword();
  await registerByApi(env.base, person, password);
  for (let sent = await env.outbox.count(person.phone); sent < DAILY_TEXTS; sent++) {
    const flow = await passwordByApi(env.base, person, password);
    assert.equal(flow.step, 'otp', `sign-in ${sent}: ${JSON.stringify(flow.problems)}`);
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
