'use strict';
// Scenario 4: the OTP phone is lost and the new number is in the person's own name (P2).
// Registered with `phone`; at sign-in "Mất số điện thoại nhận OTP" → `second_phone` → the OTP
// sent to it → signed in, and /account lists the new number, masked, as the default.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const { registerByApi, masked } = require('../lib/sandbox');
const steps = require('../lib/steps');

scenario('Change a lost OTP phone to another number in one\'s own name', 'lost-phone-change', async (run, env) => {
  const { page } = run;
  const person = env.people.ownerWithSecondPhone();
  const password = steps.newPassword();
  await registerByApi(env.base, person, password);

  await steps.openLogin(run);
  await steps.submitCredentials(run, person, password);
  await steps.expectOtpStep(run, person.phoneNational);
  await run.screen('otp');

  await run.go(run.button('otp-lost-phone'));
  await run.expectHeading('flow-new-phone-title');
  assert.equal(await steps.text(page.locator('p.lead')), run.t('flow-new-phone-lead'));
  await run.screen('new-phone');

  const seen = await env.outbox.count(person.second_phone);
  await page.locator('#f-phone').fill(person.secondPhoneNational);
  await run.go(run.button('action-continue'));
  await steps.expectOtpStep(run, person.secondPhoneNational);
  assert.equal(await run.button('otp-lost-phone').count(), 0, 'no second "lost phone" from the new phone\'s OTP step');
  await run.screen('new-phone-otp');

  await steps.submitOtp(run, await env.outbox.otpAfter(person.second_phone, seen));
  await steps.expectAccount(run, person);
  assert.equal(await steps.text(page.locator('.notice-success')),
    `${run.t('notice-success')}: ${run.t('account-done-phone')}`);
  const phones = await steps.accountPhones(run);
  assert.deepEqual(phones, [{ phone: masked(person.secondPhoneNational), isDefault: true, badge: run.t('account-phone-default') }],
    'the new number, masked, is the only and default OTP phone');
  assert.ok(!(await page.locator('main').innerText()).includes(person.secondPhoneNational), '/account does not show the whole number');
  await run.screen('account');
});
