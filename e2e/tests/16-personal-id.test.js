'use strict';
// Scenario 16 (L1–L4, seed 004 steps 1–4): an account of the old 9-digit card signs in with
// its password and OTP, is asked for its personal ID on the way, may skip ("Bỏ qua") to where
// it was going, and next time adds it ("Cập nhật"): a number the population database holds
// for someone else is refused next to the field; its own is taken, the OTP phone is told, and
// the person lands where they were going with the personal ID on the account; signed out,
// "VNeID" then opens the same account (L4) and the phone is told of the link.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const steps = require('../lib/steps');

const TARGET = '/account';

async function fitsWidth(run) {
  const width = await run.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= run.width, `the page is ${width} px wide on a ${run.width}-px screen (${run.page.url()})`);
}

/** Signs in with the old card's number, password and OTP; ends on the personal ID screen. */
async function signInLegacy(run, env, legacy) {
  await run.open(`/login?return_to=${encodeURIComponent(TARGET)}`);
  await run.expectHeading('action-sign-in');
  const seen = await env.outbox.count(legacy.phone);
  await run.page.locator('#f-identifier').fill(legacy.cmnd);
  await run.page.locator('#f-password').fill(legacy.password);
  await run.go(run.button('action-sign-in'));
  await steps.expectOtpStep(run, legacy.phoneNational);
  await steps.submitOtp(run, await env.outbox.otpAfter(legacy.phone, seen));
  assert.equal(run.path(), '/account/identity/personal-id', 'asked for the personal ID on the way');
  await run.expectHeading('personal-id-title');
  assert.equal(await run.page.locator('input[name="return_to"]').inputValue(), TARGET, 'still going to the target');
}

let next = 0;

scenario('An old-card account adds its personal ID after signing in', 'personal-id', async (run, env) => {
  const { page } = run;
  const legacy = env.demo.legacy[next];
  const someoneElse = env.demo.legacy[(next + 1) % env.demo.legacy.length];
  next += 1;
  assert.ok(legacy && legacy.password, 'the demo brought over legacy accounts');

  // 1. "Bỏ qua": straight to the target, without a personal ID.
  await signInLegacy(run, env, legacy);
  await fitsWidth(run);
  await run.screen('asked');
  await run.go(page.getByRole('link', { name: run.t('personal-id-skip'), exact: true }));
  assert.equal(run.path(), TARGET, 'skipping goes where the person was going');
  await run.expectHeading('account-title');
  assert.equal(await page.getByRole('link', { name: run.t('personal-id-title'), exact: true }).count(), 1,
    'the account page offers adding it later');
  await steps.signOut(run);

  // 2. Next sign-in asks again; someone else's number is refused, next to the field.
  await signInLegacy(run, env, legacy);
  await page.locator('#f-personal_id').fill(someoneElse.personalId);
  await run.go(run.button('personal-id-update'));
  await run.expectHeading('personal-id-title');
  await steps.expectFieldError(run, 'personal_id', run.t('problem-personal-id-not-theirs'));
  await fitsWidth(run);
  await run.screen('someone-else');

  // 3. "Cập nhật" with their own: the target, the ID on the account, the phone told.
  const texts = await env.outbox.count(legacy.phone);
  await page.locator('#f-personal_id').fill(legacy.personalId);
  await run.go(run.button('personal-id-update'));
  assert.equal(run.path(), TARGET);
  await run.expectHeading('account-title');
  const pairs = await page.locator('dl.facts').locator('dt, dd').allInnerTexts();
  assert.equal(pairs[pairs.indexOf(run.t('field-personal-id')) + 1], legacy.personalId);
  assert.equal(await env.outbox.count(legacy.phone), texts + 1, 'the OTP phone is told');
  await run.screen('added');

  // 4. L4: signed out, "VNeID" now opens this same account (the holder's VNeID account is
  //    level 2; the demo prints its password and passcode).
  await steps.signOut(run);
  await run.go(page.locator('.tabs button', { hasText: run.t('login-tab-vneid') }));
  assert.ok(page.url().startsWith(`${env.demo.vneid}/`), `out to VNeID: ${page.url()}`);
  await page.locator('#personal_id').fill(legacy.personalId);
  await page.locator('#password').fill('Vneid@2024');
  await run.go(page.locator('form[action="/login"] button[type="submit"]'));
  await page.locator('#passcode').fill('246810');
  await run.go(page.locator('form[action="/login/passcode"] button[type="submit"]'));
  assert.equal(run.path(), TARGET, `back on the portal: ${page.url()}`);
  const linked = await page.locator('dl.facts').locator('dt, dd').allInnerTexts();
  assert.equal(linked[linked.indexOf(run.t('field-personal-id')) + 1], legacy.personalId, 'the same account');
  assert.equal(await page.locator('section[aria-labelledby="vneid"]').count(), 1, 'now linked to VNeID');
  assert.equal(await env.outbox.count(legacy.phone), texts + 2, 'the OTP phone is told of the link');
  await run.screen('vneid-linked');
}, {
  variants: [{ lang: 'vi', width: 360 }, { lang: 'en', width: 360 }],
});
