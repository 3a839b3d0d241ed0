'use strict';
// Registration refusals are shown field by field: an empty form marks every required field,
// and a person whose phone is registered to someone else (a phone borrowed from a relative)
// is told so next to the phone field — "Số điện thoại này không đăng ký chính chủ mang tên
// bạn." — with what they typed kept.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const steps = require('../lib/steps');

// Empty identifier fields (personal ID, phone) are refused by their identifier rule ("not
// valid. No personal ID number was given."), the others as required.
const REQUIRED_TEXT_FIELDS = ['full_name', 'personal_id', 'birth_date', 'phone'];

scenario('Registration refusals tied to their fields', 'register-refused', async (run, env) => {
  const { page } = run;
  const person = env.people.borrower();

  await run.open('/register/phone');
  await run.expectHeading('flow-register-phone-title');

  // Nothing typed: each required field says so, the optional e-mail does not.
  await run.go(run.button('action-register'));
  await run.expectHeading('flow-register-phone-title');
  // Each message names its field, so that the error summary's list reads on its own.
  const required = (field) => run.t('problem-field-required', { field: run.t(`field-${field.replace('_', '-')}`) });
  for (const field of REQUIRED_TEXT_FIELDS) {
    await steps.expectFieldError(run, field, required(field));
  }
  const genderError = await steps.text(page.locator('#f-gender-error'));
  assert.equal(genderError, `${run.t('error-prefix')} ${required('gender')}`);
  assert.ok((await page.locator('fieldset').getAttribute('aria-describedby')).includes('f-gender-error'),
    'the gender group is described by its error');
  assert.equal(await page.locator('#f-email').getAttribute('aria-invalid'), null, 'the e-mail is optional');
  await run.screen('register-empty');

  // Right name, ID and birth date, but the phone belongs to a relative.
  await page.locator('#f-full_name').fill(person.full_name);
  await page.locator('#f-personal_id').fill(person.personal_id);
  await page.locator('#f-birth_date').fill(person.birthDateDmy);
  await page.locator(person.gender === 'male' ? '#f-gender' : '#f-gender-female').check();
  await page.locator('#f-phone').fill(person.phoneNational);
  const seen = await env.outbox.count(person.phone);
  await run.go(run.button('action-register'));

  await run.expectHeading('flow-register-phone-title');
  await steps.expectFieldError(run, 'phone', run.t('problem-phone-not-owner'));
  for (const field of ['full_name', 'personal_id', 'birth_date']) {
    assert.equal(await page.locator(`#f-${field}`).getAttribute('aria-invalid'), null, `#f-${field} is not in error`);
  }
  assert.equal(await page.locator('.error-summary li').count(), 1, 'one problem: the phone');
  assert.equal(await page.locator('#f-full_name').inputValue(), person.full_name, 'what was typed is kept');
  assert.equal(await page.locator('#f-phone').inputValue(), person.phoneNational);
  assert.equal(await page.locator(person.gender === 'male' ? '#f-gender' : '#f-gender-female').isChecked(), true);
  assert.equal(await env.outbox.count(person.phone), seen, 'no OTP is sent');
  await run.screen('register-phone-not-owner');
});
