'use strict';
// Scenario 11: the sign-in captcha. After three wrong passwords the next attempt needs it.
// With JavaScript the page solves its proof of work by itself (the typed field is hidden, a
// status says it is verifying) and "Đăng nhập" goes ahead once it is done, also when pressed
// before (the phone-width run holds the work back to make sure); under the site's real CSP too. Without JavaScript the label spells four digits in
// words: wrong digits are refused next to the field with a new captcha, the right ones pass.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const { registerByApi } = require('../lib/sandbox');
const { wordsToDigits } = require('../lib/i18n');
const steps = require('../lib/steps');

/** Four digits other than `digits`. */
function otherDigits(digits) {
  return digits.replace(/\d/g, (digit) => String((Number(digit) + 1) % 10));
}

scenario('Sign in past the captcha', 'captcha', async (run, env) => {
  const { page } = run;
  const person = env.people.owner();
  const password = steps.newPassword();
  await registerByApi(env.base, person, password);

  const violations = [];
  await page.exposeFunction('reportViolation', (text) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window.reportViolation(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });

  // On the phone-width run the work is held back until the test lets it go, so that
  // "Đăng nhập" is surely pressed while the page is still verifying.
  const holdWork = run.js && run.width === 360;
  if (holdWork) {
    await page.addInitScript(() => {
      const digest = crypto.subtle.digest.bind(crypto.subtle);
      let release;
      const held = new Promise((resolve) => { release = resolve; });
      window.releaseCaptchaWork = release;
      crypto.subtle.digest = (algorithm, data) => held.then(() => digest(algorithm, data));
    });
  }

  await steps.openLogin(run);
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    await steps.submitCredentials(run, person, 'not the password');
    await steps.expectFormError(run, run.t('problem-credentials-invalid'));
  }
  // The third failure already shows the captcha for the fourth attempt.
  assert.equal(await page.locator('#f-captcha').count(), 1, 'the captcha is asked');
  const seen = await env.outbox.count(person.phone);
  await page.locator('#f-identifier').fill(person.personal_id);
  await page.locator('#f-password').fill(password);

  if (run.js) {
    const status = page.locator('#f-captcha-status');
    assert.equal(await page.locator('#f-captcha').isVisible(), false, 'no field to type the captcha in');
    assert.equal(await status.isVisible(), true, 'the page says what it is doing');
    assert.equal(await status.getAttribute('role'), 'status');
    if (holdWork) {
      await page.waitForFunction(
        (verifying) => document.getElementById('f-captcha-status').textContent === verifying,
        run.t('captcha-verifying'),
      );
      await run.screen('captcha-verifying');
      // Pressed while verifying: the page holds the form and says why, then sends it.
      await run.button('action-sign-in').click();
      assert.equal(await page.evaluate(() => document.activeElement.id), 'f-captcha-status');
      assert.equal(await run.heading(), run.t('action-sign-in'), 'still on the sign-in page');
      await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.evaluate(() => window.releaseCaptchaWork()),
      ]);
    } else {
      await steps.answerCaptcha(run);
      await run.screen('captcha-verified');
      await run.go(run.button('action-sign-in'));
    }
  } else {
    assert.equal(await page.locator('#f-captcha-status').isVisible(), false);
    const words = await steps.captchaWords(run);
    await run.screen('captcha');
    await page.locator('#f-captcha').fill(otherDigits(wordsToDigits(run.lang, words)));
    await run.go(run.button('action-sign-in'));
    await steps.expectFieldError(run, 'captcha', run.t('problem-captcha-wrong'));
    const again = await steps.captchaWords(run);
    await run.screen('captcha-wrong');
    await page.locator('#f-password').fill(password);
    await page.locator('#f-captcha').fill(wordsToDigits(run.lang, again));
    await run.go(run.button('action-sign-in'));
  }

  await steps.expectOtpStep(run, person.phoneNational);
  await steps.submitOtp(run, await env.outbox.otpAfter(person.phone, seen));
  await steps.expectAccount(run, person);
  await run.screen('account');
  assert.deepEqual(violations, [], 'CSP violations');
}, {
  variants: [
    { lang: 'vi', width: 360 },
    { lang: 'en', width: 1280, enforceCsp: true },
    { lang: 'vi', width: 360, js: false },
    { lang: 'en', width: 1280, js: false },
  ],
});
