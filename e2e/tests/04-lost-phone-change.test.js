'use strict';
// Scenario 4: the OTP phone is lost and the new number is in the person's own name (P2).
// Registered with `phone`; at sign-in "Mất số điện thoại nhận OTP" → `second_phone` → the OTP
// sent to it → signed in. The change waits out its cool-down: /account still lists the old
// number and says which one will replace it; the old phone got an SMS with a cancel code, and
// "Hủy đổi số điện thoại" with that code undoes the change and signs everyone out.

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

  const warned = await env.outbox.count(person.phone);
  await steps.submitOtp(run, await env.outbox.otpAfter(person.second_phone, seen));
  await steps.expectAccount(run, person);
  assert.equal(await steps.text(page.locator('.notice-success')),
    `${run.t('notice-success')}: ${run.t('account-done-phone')}`);
  const phones = await steps.accountPhones(run);
  assert.deepEqual(phones, [{ phone: masked(person.phoneNational), isDefault: true, badge: run.t('account-phone-default') }],
    'nothing changes before the cool-down ends');
  const pending = await steps.text(page.locator('.notice-info'));
  assert.ok(pending.includes(masked(person.secondPhoneNational)), `the waiting change is shown: ${pending}`);
  assert.ok(!(await page.locator('main').innerText()).includes(person.secondPhoneNational), '/account does not show the whole number');
  await run.screen('account-change-waiting');

  // The old phone was told, with a code that cancels the change.
  const texts = await env.outbox.messages(person.phone);
  assert.ok(texts.length > warned, 'the phone being replaced gets an SMS');
  const cancel = /\b([A-Z2-9]{8})\b/.exec(texts[0].text);
  assert.ok(cancel, `a cancel code in "${texts[0].text}"`);
  await run.open('/phone-change/cancel');
  await run.expectHeading('phone-change-cancel-title');
  await page.locator('#f-identifier').fill(person.personal_id);
  await page.locator('#f-code').fill(cancel[1]);
  await run.go(run.button('phone-change-cancel-action'));
  assert.ok((await steps.text(page.locator('.notice-success'))).includes(run.t('phone-change-cancel-done')),
    'the change is cancelled');
  await run.screen('change-cancelled');
  await run.open('/account');
  await run.expectHeading('action-sign-in');
});
