'use strict';
// Steps several scenarios share, as a person does them on the pages. Inputs are found by the
// ids ui.html promises (f-<name>); buttons and links by their accessible names in the run's
// language, so a missing or wrong translation fails the step.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const { masked } = require('./sandbox');
const { wordsToDigits } = require('./i18n');

/**
 * A new random password of 14 characters. The password policy refuses one that contains the
 * person's ID, phone, birth date or name, so it is made of letters no Vietnamese name has
 * (f, j, w, z) and no digits.
 */
function newPassword() {
  const letters = 'fjwzFJWZ';
  const random = [...crypto.randomBytes(12)].map((byte) => letters[byte % letters.length]).join('');
  return `${random.slice(0, 6)}-${random.slice(6)}!`;
}

async function text(locator) {
  return (await locator.innerText()).replace(/\s+/g, ' ').trim();
}

/**
 * The field `name` is refused with `message`: the message is next to the field and tied to it
 * (aria-invalid, aria-describedby), and the error summary at the top links to the field.
 */
async function expectFieldError(run, name, message) {
  const { page } = run;
  const input = page.locator(`#f-${name}`);
  assert.equal(await input.getAttribute('aria-invalid'), 'true', `#f-${name} is marked invalid`);
  const describedBy = (await input.getAttribute('aria-describedby')) || '';
  assert.ok(describedBy.split(/\s+/).includes(`f-${name}-error`), `#f-${name} is described by its error (aria-describedby="${describedBy}")`);
  const error = await text(page.locator(`#f-${name}-error`));
  assert.equal(error, `${run.t('error-prefix')} ${message}`, `error message of #f-${name}`);
  const summary = page.locator('.error-summary');
  assert.equal(await text(summary.locator('h2')), run.t('error-summary-title'));
  const link = summary.locator(`a[href="#f-${name}"]`);
  assert.equal(await text(link), message, `the error summary links to #f-${name}`);
  if (run.js) {
    // app.js moves the focus to the summary so that it is read first.
    const focused = await page.evaluate(() => document.activeElement && document.activeElement.hasAttribute('data-error-summary'));
    assert.ok(focused, 'the error summary has the focus');
  }
}

/** A refusal of the whole form (no field), shown in the error summary. */
async function expectFormError(run, message) {
  const items = await run.page.locator('.error-summary li').allInnerTexts();
  assert.ok(items.map((item) => item.trim()).includes(message), `the error summary says "${message}" (it says ${JSON.stringify(items)})`);
}

/** /login → the ID + password step. */
async function openLogin(run) {
  await run.open('/login');
  await run.expectHeading('action-sign-in');
  assert.equal(await run.page.locator('.tabs [aria-current="page"]').innerText(), run.t('login-tab-password-sms'));
  // The tabs of a row end on the same line, the red rule under them (a tab whose label wraps
  // makes its row taller; the others must grow with it).
  const boxes = await run.page.locator('.tabs a').evaluateAll((links) => links.map((link) => {
    const box = link.getBoundingClientRect();
    return { label: link.textContent.trim(), top: Math.round(box.top), bottom: Math.round(box.bottom) };
  }));
  const rows = new Map();
  for (const box of boxes) rows.set(box.top, [...(rows.get(box.top) || []), box]);
  for (const row of rows.values()) {
    assert.deepEqual(row.map((box) => box.bottom), row.map(() => Math.max(...row.map((box) => box.bottom))),
      `the sign-in tabs ${JSON.stringify(row.map((box) => box.label))} end on the same line`);
  }
  // app.js adds the show/hide button; without it the button would be shown and do nothing.
  const toggle = run.page.locator('button[data-password-toggle][aria-controls="f-password"]');
  assert.equal(await toggle.isVisible(), run.js,
    run.js ? 'with JavaScript, the password has its show/hide button' : 'without JavaScript, no show/hide button (it would do nothing)');
}

/** On the sign-in page: ID and password, then "Đăng nhập". */
async function submitCredentials(run, person, password) {
  const { page } = run;
  await page.locator('#f-identifier').fill(person.personal_id);
  await page.locator('#f-password').fill(password);
  assert.equal(await page.locator('#f-captcha').count(), 0,
    'the sign-in page asks for a captcha: the throttle counted more attempts than this scenario made');
  await run.go(run.button('action-sign-in'));
}

/** The digits the captcha field's label spells out ("Mã xác thực: bảy – hai – chín – bốn *"). */
async function captchaWords(run) {
  const label = await run.page.locator('label[for="f-captcha"]').innerText();
  const words = (label.match(/:\s*(\S+(?: – \S+){3})/u) || [])[1] || '';
  assert.match(words, /^\S+( – \S+){3}$/u, `four digits in words: "${words}"`);
  return words;
}

/**
 * Answers the captcha as the person's browser does. With JavaScript the page solves the proof
 * of work by itself: the typed field is hidden and a status says "verifying", then "verified".
 * Without, the person types the digits the label spells out.
 */
async function answerCaptcha(run) {
  const { page } = run;
  const status = page.locator('#f-captcha-status');
  if (run.js) {
    assert.equal(await page.locator('#f-captcha').isVisible(), false, 'with JavaScript, no field to type the captcha in');
    await page.waitForFunction(
      (verified) => document.getElementById('f-captcha-status').textContent === verified,
      run.t('captcha-verified'), { timeout: 30_000 },
    );
    assert.equal(await status.isVisible(), true, 'the page says it verified the browser');
    return;
  }
  assert.equal(await status.isVisible(), false, 'without JavaScript, no verification status');
  await page.locator('#f-captcha').fill(wordsToDigits(run.lang, await captchaWords(run)));
}

/** The OTP step, telling which phone the code went to (masked), or not telling (recovery). */
async function expectOtpStep(run, national) {
  await run.expectHeading('flow-otp-title');
  const lead = await text(run.page.locator('p.lead'));
  if (national) {
    assert.equal(lead, run.t('flow-otp-lead', { phone: masked(national) }));
    assert.ok(!lead.includes(national), 'the OTP page does not show the whole phone number');
  } else {
    assert.equal(lead, run.t('flow-otp-lead-hidden'));
  }
  assert.equal(await run.page.locator('#f-code').getAttribute('autocomplete'), 'one-time-code');
}

async function submitOtp(run, code) {
  await run.page.locator('#f-code').fill(code);
  await run.go(run.button('action-confirm'));
}

/** /account of `person`, signed in: name and ID in the identity facts. */
async function expectAccount(run, person) {
  assert.equal(run.path(), '/account', 'signed in, the person lands on /account');
  await run.expectHeading('account-title');
  const facts = run.page.locator('dl.facts');
  const pairs = await facts.locator('dt, dd').allInnerTexts();
  const fact = (key) => pairs[pairs.indexOf(run.t(key)) + 1];
  assert.equal(fact('field-full-name'), person.full_name, 'the account shows the person\'s name');
  assert.equal(fact('field-personal-id'), person.personal_id);
  assert.equal(fact('field-birth-date'), person.birthDateDmy);
}

/** The OTP phones listed on /account: [{ phone, isDefault }]. */
async function accountPhones(run) {
  const rows = run.page.locator('section[aria-labelledby="phones"] tbody tr');
  const phones = [];
  for (const row of await rows.all()) {
    const cell = row.locator('td').first();
    const badge = cell.locator('.badge');
    const isDefault = (await badge.count()) > 0;
    const phone = (await text(cell)).replace(isDefault ? await text(badge) : '', '').trim();
    phones.push({ phone, isDefault, badge: isDefault ? await text(badge) : null });
  }
  return phones;
}

/** Signs in with ID, password and the OTP read from the outbox; ends on /account. */
async function signIn(run, env, person, password, { phone = person.phone, national = person.phoneNational, shots = '' } = {}) {
  await openLogin(run);
  if (shots) await run.screen(`${shots}login`);
  const seen = await env.outbox.count(phone);
  await submitCredentials(run, person, password);
  await expectOtpStep(run, national);
  if (shots) await run.screen(`${shots}otp`);
  await submitOtp(run, await env.outbox.otpAfter(phone, seen));
  await expectAccount(run, person);
}

/** "Đăng xuất", the button at the bottom of /account; afterwards /account asks to sign in. */
async function signOut(run) {
  // The page's own button; the header has one too.
  const button = run.page.locator('main').getByRole('button', { name: run.t('action-sign-out'), exact: true });
  const isLast = await run.page.evaluate(() => {
    const forms = [...document.querySelectorAll('main form')];
    return forms[forms.length - 1].getAttribute('action') === '/account/signout';
  });
  assert.ok(isLast, 'the sign-out button is the last form of /account');
  await run.go(button);
  assert.equal(run.path(), '/', 'after signing out, the home page');
  await run.page.goto('/account');
  assert.equal(run.path().startsWith('/flows/'), true, '/account now starts a sign-in');
  await run.expectHeading('action-sign-in');
}

module.exports = {
  newPassword, text, expectFieldError, expectFormError, openLogin, submitCredentials,
  captchaWords, answerCaptcha, expectOtpStep, submitOtp, expectAccount, accountPhones, signIn, signOut, masked,
};
