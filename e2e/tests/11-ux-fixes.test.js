'use strict';
// What a new user meets on the registration pages, on a phone (360 px) in Vietnamese and
// English:
// - a gender the personal ID contradicts is said on the gender, in words about the ID and the
//   gender, not as an invalid ID; a BHXH record that disagrees is worded as BHXH's;
// - a birth date typed without leading zeros (21/1/1992) is accepted;
// - while a slow population database answers, the button is disabled and says it is checking,
//   and a second press sends nothing; an outage is the named system's problem;
// - "already has an account" links to sign-in and recovery;
// - once signed in, every page's header shows the name and a sign-out button that works.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const { registerByApi } = require('../lib/sandbox');
const steps = require('../lib/steps');

const PHONE_VARIANTS = [
  { lang: 'vi', width: 360 },
  { lang: 'en', width: 360 },
];

async function control(env, system, mode, delayMs) {
  const body = { system, mode, ...(delayMs ? { delay_ms: delayMs } : {}) };
  const response = await fetch(`${env.base}/sandbox/control`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
  assert.equal(response.status, 200, `sandbox control ${JSON.stringify(body)}`);
}

async function requestsTo(env, system) {
  const state = await (await fetch(`${env.base}/sandbox/control`)).json();
  return state.systems.find((entry) => entry.system === system).requests;
}

/** The registration form filled for `person`; `overrides` replace single fields. */
async function fillRegistration(page, person, overrides = {}) {
  const values = { ...person, birthDate: person.birthDateDmy, gender: person.gender, ...overrides };
  await page.locator('#f-full_name').fill(values.full_name);
  await page.locator('#f-personal_id').fill(values.personal_id);
  await page.locator('#f-birth_date').fill(values.birthDate);
  await page.locator(values.gender === 'male' ? '#f-gender' : '#f-gender-female').check();
  await page.locator('#f-phone').fill(values.phoneNational);
}

/** Nothing wider than the phone's screen: no sideways scrolling. */
async function expectFitsWidth(run) {
  const width = await run.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= run.width, `the page is ${width} px wide on a ${run.width}-px screen (${run.page.url()})`);
}

scenario('Registration on a phone: right fields, slow registries, signed-in header', 'ux-fixes', async (run, env) => {
  const { page } = run;
  const person = env.people.owner();
  const other = env.people.owner();
  const existing = env.people.owner();
  const password = steps.newPassword();

  // 1. The ID says one gender, the person picked the other: said on the gender.
  await run.open('/register/phone');
  await run.expectHeading('flow-register-phone-title');
  const wrongGender = person.gender === 'male' ? 'female' : 'male';
  await fillRegistration(page, person, { gender: wrongGender });
  await run.go(run.button('action-register'));
  await run.expectHeading('flow-register-phone-title');
  const genderError = await steps.text(page.locator('#f-gender-error'));
  const mismatch = run.t('problem-personal-id-gender-mismatch');
  assert.ok(genderError.startsWith(`${run.t('error-prefix')} ${mismatch}`), `gender error: ${genderError}`);
  assert.ok(!genderError.includes(run.t('problem-field-invalid', { field: run.t('field-personal-id') })),
    'not worded as an invalid ID');
  assert.ok((await page.locator('fieldset').getAttribute('aria-describedby')).includes('f-gender-error'));
  assert.equal(await page.locator('.error-summary a[href="#f-gender"]').count(), 1, 'the summary links to the gender');
  assert.equal(await page.locator('#f-personal_id').getAttribute('aria-invalid'), null, 'the ID itself is not marked wrong');
  await expectFitsWidth(run);
  await run.screen('gender-contradicts-id');

  // 2. The population database is down: its own name, worded as the system's problem, and
  //    what was typed is kept.
  await control(env, 'population', 'down');
  try {
    await page.locator(person.gender === 'male' ? '#f-gender' : '#f-gender-female').check();
    await run.go(run.button('action-register'));
  } finally {
    await control(env, 'population', 'up');
  }
  await steps.expectFormError(run, run.t('problem-population-unavailable'));
  assert.equal(await page.locator('#f-personal_id').inputValue(), person.personal_id, 'what was typed is kept');
  await run.screen('population-down');

  // 3. Slow population database; the birth date typed without leading zeros. The button says
  //    it is checking and stays disabled; sending the form again sends nothing.
  const [year, month, day] = person.birth_date.split('-');
  await page.locator('#f-birth_date').fill(`${Number(day)}/${Number(month)}/${year}`);
  await control(env, 'population', 'slow', 2500);
  const before = await requestsTo(env, 'population');
  const register = run.button('action-register');
  try {
    const arrived = page.waitForNavigation({ waitUntil: 'load', timeout: 20_000 });
    // Pressed, looked at and pressed again from within the page: while the answer is pending,
    // Playwright cannot read the page from outside.
    const seen = await register.evaluate((button) => new Promise((resolve) => {
      button.click();
      window.setTimeout(() => {
        const form = button.form;
        const status = form.querySelector('[data-busy-status]');
        const state = {
          disabled: button.disabled,
          busy: button.getAttribute('aria-busy'),
          label: button.textContent.trim(),
          status: status && status.textContent.trim(),
          others: [...form.querySelectorAll('button')].every((other) => other.disabled),
        };
        // Enter in a field, or a script, would send the form again: nothing happens.
        form.requestSubmit();
        resolve(state);
      }, 200);
    }));
    assert.deepEqual(seen, {
      disabled: true,
      busy: 'true',
      label: run.t('form-busy-checking'),
      status: run.t('form-busy-registries'),
      others: true,
    }, 'while the registry answers, the form says so and cannot be sent again');
    await arrived;
  } finally {
    await control(env, 'population', 'up');
  }
  await steps.expectOtpStep(run, person.phoneNational);
  assert.equal(await requestsTo(env, 'population') - before, 1, 'one registry query: the form was sent once');
  await run.screen('otp-after-slow-registry');

  // 4. The SMS gateway is down: the SMS system's problem.
  await run.open('/register/phone');
  await fillRegistration(page, other);
  await control(env, 'sms', 'down');
  try {
    await run.go(run.button('action-register'));
  } finally {
    await control(env, 'sms', 'up');
  }
  await steps.expectFormError(run, run.t('problem-sms-unavailable'));
  await run.screen('sms-down');

  // 5. BHXH: the hint tells both code lengths; a wrong birth date is BHXH's mismatch.
  await run.open('/register/bhxh');
  await run.expectHeading('flow-register-bhxh-title');
  assert.equal(await steps.text(page.locator('#f-bhxh_code-hint')), run.t('field-bhxh-code-hint'));
  await page.locator('#f-bhxh_code').fill(other.bhxh_code);
  await page.locator('#f-full_name').fill(other.full_name);
  await page.locator('#f-birth_date').fill('1/1/1901');
  await run.go(run.button('action-register'));
  await steps.expectFormError(run, run.t('problem-bhxh-mismatch'));
  const summary = await page.locator('.error-summary').innerText();
  assert.ok(!summary.includes(run.t('problem-identity-mismatch')), 'not worded as the population database');
  await run.screen('bhxh-mismatch');

  // 6. Someone already registered: said only after the OTP to the person's phone (the form
  // tells nobody which IDs have accounts), and the refusal leads to sign-in and recovery.
  await registerByApi(env.base, existing, password);
  await run.open('/register/phone');
  await fillRegistration(page, existing);
  const seen = await env.outbox.count(existing.phone);
  await run.go(run.button('action-register'));
  await steps.expectOtpStep(run, existing.phoneNational);
  await steps.submitOtp(run, await env.outbox.otpAfter(existing.phone, seen));
  const item = page.locator('.error-summary-list > li', { has: page.locator('.error-summary-links') });
  assert.equal(await item.evaluate((li) => li.firstChild.textContent.trim()), run.t('problem-account-exists'));
  const links = item.locator('.error-summary-links a');
  assert.deepEqual(await links.evaluateAll((all) => all.map((a) => [a.getAttribute('href'), a.textContent.trim()])),
    [['/login', run.t('action-sign-in')], ['/recovery', run.t('action-forgot-password')]]);
  await expectFitsWidth(run);
  await run.screen('account-exists');
  await run.go(page.locator('.error-summary').getByRole('link', { name: run.t('action-sign-in'), exact: true }));
  await run.expectHeading('action-sign-in');

  // 7. Signed in: the header of every page shows the name and a sign-out button.
  await steps.signIn(run, env, existing, password);
  const header = page.locator('header.site-header');
  for (const path of ['/account', '/', '/register', '/help/signing-agent']) {
    if (path !== '/account') await run.open(path);
    assert.equal(await steps.text(header.locator('.account-name')),
      `${run.t('header-signed-in-as')} ${existing.full_name}`, `the header of ${path} names the person`);
    assert.equal(await header.getByRole('button', { name: run.t('action-sign-out'), exact: true }).isVisible(), true);
    await expectFitsWidth(run);
  }
  await run.screen('signed-in-header');
  await run.go(header.getByRole('button', { name: run.t('action-sign-out'), exact: true }));
  assert.equal(run.path(), '/', 'after signing out, the home page');
  assert.equal(await header.locator('.account-bar').count(), 0, 'the header no longer shows anyone');
  await run.page.goto('/account');
  await run.expectHeading('action-sign-in');
  await run.screen('signed-out');
}, { variants: PHONE_VARIANTS, timeout: 180_000 });
