'use strict';
// Scenario 5: the new OTP phone is not in the person's name (P2, refusal). The new number is
// the phone of someone who borrows it: its subscriber is a third person. Its OTP is right, yet
// the change is refused with the advice to update the subscriber record at the carrier's
// shop, and the account keeps its phone: signing in again sends the code to the old number.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const { registerByApi, masked } = require('../lib/sandbox');
const steps = require('../lib/steps');

scenario('Refuse a new OTP phone that is in someone else\'s name', 'lost-phone-refused', async (run, env) => {
  const { page } = run;
  const person = env.people.owner();
  const borrower = env.people.borrower();
  assert.notEqual(borrower.phone_owner_id, person.personal_id);
  const password = steps.newPassword();
  await registerByApi(env.base, person, password);

  await steps.openLogin(run);
  await steps.submitCredentials(run, person, password);
  await steps.expectOtpStep(run, person.phoneNational);
  await run.go(run.button('otp-lost-phone'));
  await run.expectHeading('flow-new-phone-title');
  await run.screen('new-phone');

  const seen = await env.outbox.count(borrower.phone);
  await page.locator('#f-phone').fill(borrower.phoneNational);
  await run.go(run.button('action-continue'));
  await steps.expectOtpStep(run, borrower.phoneNational);
  await run.screen('new-phone-otp');
  await steps.submitOtp(run, await env.outbox.otpAfter(borrower.phone, seen));

  await run.expectHeading('flow-new-phone-title');
  const alert = page.locator('.notice-error[role="alert"]');
  assert.equal(await steps.text(alert), run.t('flow-phone-refused-message'), 'the refusal advises the carrier\'s shop');
  assert.equal(run.path().startsWith('/flows/'), true, 'not signed in');
  await run.screen('phone-refused');

  // The back button leads to the sign-in page; the old phone still receives the code.
  await run.go(run.link('action-back'));
  await run.expectHeading('action-sign-in');
  await steps.signIn(run, env, person, password, { shots: 'again-' });
  const phones = await steps.accountPhones(run);
  assert.deepEqual(phones.map((p) => [p.phone, p.isDefault]), [[masked(person.phoneNational), true]], 'the account\'s phone is unchanged');
  const history = await page.locator('section[aria-labelledby="history"] tbody').innerText();
  assert.ok(history.includes(run.t('audit-phone-change-refused')), 'the account history records the refused change');
  await run.screen('account');
});
