'use strict';
// Registration through Vietnam Post (R4) with activation by e-mail link, then sign-in (S5).
// /register → "Bưu điện Việt Nam" → the form (a phone in a relative's name is fine here), the
// captcha and "link by e-mail" → password → "check your mailbox" → the sandbox's mailbox → the
// link's confirmation page → "Kích hoạt tài khoản" → sign in with ID, password and OTP; the
// account page says the identity is proven by Vietnam Post at LoA2.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const steps = require('../lib/steps');

scenario('Register through Vietnam Post with an e-mail link, then sign in', 'vietnam-post', async (run, env) => {
  const { page } = run;
  const person = env.people.borrower();
  const email = `buudien.${person.personal_id}@example.vn`;
  const password = steps.newPassword();

  await run.open('/register');
  const card = page.locator('section.card', { has: page.getByRole('heading', { name: run.t('register-channel-post'), exact: true }) });
  await run.go(card.getByRole('link', { name: run.t('action-register'), exact: true }));
  await run.expectHeading('flow-register-post-title');

  await page.locator('#f-full_name').fill(person.full_name);
  await page.locator('#f-personal_id').fill(person.personal_id);
  await page.locator('#f-birth_date').fill(person.birthDateDmy);
  await page.locator(person.gender === 'male' ? '#f-gender' : '#f-gender-female').check();
  await page.locator('#f-phone').fill(person.phoneNational);
  await page.locator('#f-email').fill(email);
  await page.locator('#f-activation-email').check();
  await steps.answerCaptcha(run);
  await run.screen('post-form');
  await run.go(run.button('action-register'));

  await run.expectHeading('flow-register-post-title');
  await page.locator('#f-password').fill(password);
  await page.locator('#f-confirm').fill(password);
  await run.go(run.button('action-confirm'));

  await run.expectHeading('done-link-sent-title');
  const masked = `${email[0]}***@example.vn`;
  assert.equal(await steps.text(page.locator('.notice-success')), run.t('done-link-sent-message', { email: masked, hours: '24' }));
  await run.screen('post-link-sent');

  // The mailbox: the link is on the demo's own address, whatever the browser sent as Host.
  await page.goto(`/sandbox/email/page?to=${encodeURIComponent(email)}`);
  const link = page.locator('a[href*="/register/vietnam-post/activate/"]').first();
  const href = await link.getAttribute('href');
  assert.ok(href.startsWith(`${env.base}/register/vietnam-post/activate/`), href);
  await page.goto(href);
  await run.expectHeading('post-activate-title');
  await run.screen('post-activate');
  await run.go(run.button('post-activate-action'));
  await run.expectHeading('post-activated-title');
  await run.screen('post-activated');

  // The link works once.
  await page.goto(href);
  const said = await page.locator('.error-summary li').allInnerTexts();
  assert.ok(said.some((item) => item.includes(run.t('problem-post-link-used'))), JSON.stringify(said));

  await steps.signIn(run, env, person, password);
  const pairs = await page.locator('dl.facts').locator('dt, dd').allInnerTexts();
  const proofing = pairs[pairs.indexOf(run.t('account-proofing')) + 1];
  assert.ok(proofing.startsWith(`${run.t('channel-vietnam-post')}, LoA2`), proofing);
  await run.screen('post-account');
}, {
  variants: [{ lang: 'vi', width: 360 }, { lang: 'en', width: 360 }],
});
