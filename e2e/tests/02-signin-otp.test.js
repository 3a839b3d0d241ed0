'use strict';
// Scenario 2: sign in with ID, password and SMS OTP (S1–S2), with and without JavaScript.
// /login → ID + password → the OTP screen names the masked phone → a wrong code is refused
// next to the field → the right code → /account with the person's name → "Đăng xuất".

const assert = require('node:assert/strict');
const { scenario, VARIANTS } = require('../lib/scenario');
const { registerByApi } = require('../lib/sandbox');
const steps = require('../lib/steps');

/** A six-digit code other than `code`. */
function wrongCode(code) {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

scenario('Sign in with password and OTP, then sign out', 'signin-otp', async (run, env) => {
  const { page } = run;
  const person = env.people.owner();
  const password = steps.newPassword();
  await registerByApi(env.base, person, password);

  await steps.openLogin(run);
  await run.screen('login');
  const seen = await env.outbox.count(person.phone);
  await steps.submitCredentials(run, person, password);
  await steps.expectOtpStep(run, person.phoneNational);
  await run.screen('otp');

  const code = await env.outbox.otpAfter(person.phone, seen);
  await steps.submitOtp(run, wrongCode(code));
  await steps.expectOtpStep(run, person.phoneNational);
  await steps.expectFieldError(run, 'code', run.t('problem-otp-wrong', { left: 4 }));
  assert.equal(await page.locator('#f-code').inputValue(), '', 'the wrong code is not shown again');
  await run.screen('otp-wrong');

  await steps.submitOtp(run, code);
  await steps.expectAccount(run, person);
  await run.screen('account');

  await steps.signOut(run);
  await run.screen('signed-out-login');
}, {
  variants: [...VARIANTS, ...VARIANTS.map((variant) => ({ ...variant, js: false }))],
});
