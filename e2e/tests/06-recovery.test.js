'use strict';
// Scenario 6: forgotten password (S10). /recovery → ID + the captcha (solved by the page's
// script, or without it the digits written as words typed)
// → OTP (the page does not say which phone) → new password twice → "Đặt lại mật khẩu thành
// công" → the new password signs in, the old one is refused.

const assert = require('node:assert/strict');
const { scenario, VARIANTS } = require('../lib/scenario');
const { registerByApi } = require('../lib/sandbox');
const steps = require('../lib/steps');

scenario('Reset a forgotten password', 'recovery', async (run, env) => {
  const { page } = run;
  const person = env.people.owner();
  const oldPassword = steps.newPassword();
  const newPassword = steps.newPassword();
  await registerByApi(env.base, person, oldPassword);

  await run.open('/login');
  await run.go(run.link('action-forgot-password'));
  await run.expectHeading('action-forgot-password');
  assert.equal(await steps.text(page.locator('p.lead')), run.t('flow-identify-lead'));
  await run.screen('recovery');

  const seen = await env.outbox.count(person.phone);
  await page.locator('#f-identifier').fill(person.personal_id);
  await steps.answerCaptcha(run);
  await run.go(run.button('action-continue'));

  await steps.expectOtpStep(run, null);
  await run.screen('otp');
  await steps.submitOtp(run, await env.outbox.otpAfter(person.phone, seen));

  await run.expectHeading('action-forgot-password');
  assert.equal(await page.locator('#f-password').getAttribute('autocomplete'), 'new-password');
  await run.screen('new-password');
  await page.locator('#f-password').fill(newPassword);
  await page.locator('#f-confirm').fill(newPassword);
  await run.go(run.button('action-confirm'));

  await run.expectHeading('done-password-reset-title');
  assert.equal(await steps.text(page.locator('.notice-success')), run.t('done-password-reset-message'));
  await run.screen('reset-done');

  await run.go(run.link('action-sign-in'));
  await steps.signIn(run, env, person, newPassword, { shots: 'new-password-' });
  await run.screen('account');
  await steps.signOut(run);

  await steps.openLogin(run);
  const before = await env.outbox.count(person.phone);
  await steps.submitCredentials(run, person, oldPassword);
  await run.expectHeading('action-sign-in');
  await steps.expectFormError(run, run.t('problem-credentials-invalid'));
  assert.equal(await env.outbox.count(person.phone), before, 'no OTP for a wrong password');
  await run.screen('old-password-refused');
}, {
  variants: [...VARIANTS, { lang: 'vi', width: 360, js: false }, { lang: 'en', width: 1280, js: false }],
});
