'use strict';
// Scenario 1: registration by mobile subscriber (R2), then the first sign-in.
// /register → "Thuê bao di động" → the form (birth date DD/MM/YYYY) → OTP → password twice →
// "Đăng ký thành công" → its link to the sign-in page → ID + password + OTP → /account.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const steps = require('../lib/steps');

scenario('Register by mobile subscriber, then sign in', 'register-phone', async (run, env) => {
  const { page } = run;
  const person = env.people.owner();
  const password = steps.newPassword();

  await run.open('/register');
  await run.expectHeading('register-title');
  await run.screen('register-choice');

  const card = page.locator('section.card', { has: page.getByRole('heading', { name: run.t('register-channel-phone'), exact: true }) });
  await run.go(card.getByRole('link', { name: run.t('action-register'), exact: true }));
  await run.expectHeading('flow-register-phone-title');
  await run.screen('register-form');

  await page.locator('#f-full_name').fill(person.full_name);
  await page.locator('#f-personal_id').fill(person.personal_id);
  await page.locator('#f-birth_date').fill(person.birthDateDmy);
  await page.locator(person.gender === 'male' ? '#f-gender' : '#f-gender-female').check();
  await page.locator('#f-phone').fill(person.phoneNational);
  if (person.email) await page.locator('#f-email').fill(person.email);
  const seen = await env.outbox.count(person.phone);
  await run.go(run.button('action-register'));

  await steps.expectOtpStep(run, person.phoneNational);
  await run.screen('register-otp');
  const code = await env.outbox.otpAfter(person.phone, seen);
  await steps.submitOtp(run, code);

  // The password step keeps the registration's title and names the account being created.
  await run.expectHeading('flow-register-phone-title');
  assert.equal(await steps.text(page.locator('p.lead')),
    run.t('flow-password-holder', { holder: `${person.full_name}, ${person.personal_id}` }));
  assert.equal(await page.locator('#f-password').getAttribute('autocomplete'), 'new-password');
  await run.screen('password');
  await page.locator('#f-password').fill(password);
  await page.locator('#f-confirm').fill(password);
  await run.go(run.button('action-confirm'));

  await run.expectHeading('done-registered-title');
  assert.equal(await steps.text(page.locator('.notice-success')), run.t('done-registered-message'));
  await run.screen('registered');

  // The success page leads to the sign-in page, where the new account works.
  await run.go(run.link('action-sign-in'));
  await run.expectHeading('action-sign-in');
  await run.screen('login');
  const signInSeen = await env.outbox.count(person.phone);
  await steps.submitCredentials(run, person, password);
  await steps.expectOtpStep(run, person.phoneNational);
  await run.screen('login-otp');
  await steps.submitOtp(run, await env.outbox.otpAfter(person.phone, signInSeen));
  await steps.expectAccount(run, person);
  const phones = await steps.accountPhones(run);
  assert.deepEqual(phones.map((p) => [p.phone, p.isDefault]), [[steps.masked(person.phoneNational), true]]);
  await run.screen('account');
});
