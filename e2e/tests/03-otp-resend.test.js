'use strict';
// Scenario 3: "Gửi lại OTP" (S3). The demo lets a code be resent after 2 s (60 s in
// production). With JavaScript the button is disabled and counts down ("Gửi lại OTP (1s)");
// once it is enabled, a press sends a second SMS, and the new code signs in.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const { registerByApi } = require('../lib/sandbox');
const steps = require('../lib/steps');

const COOLDOWN_SECONDS = 2; // --otp-resend-after of lib/demo.js

scenario('Resend the OTP after the countdown', 'otp-resend', async (run, env) => {
  const { page } = run;
  const person = env.people.owner();
  const password = steps.newPassword();
  await registerByApi(env.base, person, password);

  await steps.openLogin(run);
  const seen = await env.outbox.count(person.phone);
  await steps.submitCredentials(run, person, password);
  await steps.expectOtpStep(run, person.phoneNational);

  // Right after the page loads: disabled, the label counting the seconds left.
  const resend = page.locator('button[name="action"][value="resend"]');
  const waiting = { disabled: await resend.isDisabled(), label: (await resend.innerText()).trim() };
  const wait = new RegExp(`^${escape(run.t('otp-resend-wait', { seconds: '@' })).replace('@', '(\\d+)')}$`);
  const shown = wait.exec(waiting.label);
  assert.ok(waiting.disabled, 'the resend button is disabled during the cooldown');
  assert.ok(shown, `the resend button counts down: "${waiting.label}" should read like "${run.t('otp-resend-wait', { seconds: 1 })}"`);
  assert.ok(Number(shown[1]) >= 1 && Number(shown[1]) <= COOLDOWN_SECONDS, `countdown ${shown[1]} s within the ${COOLDOWN_SECONDS} s cooldown`);
  await run.screen('otp-countdown');
  const first = await env.outbox.otpAfter(person.phone, seen);
  assert.equal(await env.outbox.count(person.phone), seen + 1, 'one SMS so far');

  // The countdown ends by itself; the person presses the button as soon as it is enabled.
  await resend.waitFor({ state: 'visible' });
  await page.waitForFunction((button) => !button.disabled, await resend.elementHandle(), { timeout: (COOLDOWN_SECONDS + 3) * 1000 });
  assert.equal((await resend.innerText()).trim(), run.t('otp-resend'), 'enabled, the button reads "Gửi lại OTP" again');
  await run.screen('otp-resend-ready');
  await run.go(resend);

  await steps.expectOtpStep(run, person.phoneNational);
  const summary = page.locator('.error-summary');
  assert.equal(await summary.count(), 0,
    `pressing "${run.t('otp-resend')}" as soon as it is enabled is accepted (the page says: ${await summary.count() ? (await summary.innerText()).replace(/\s+/g, ' ') : ''})`);
  const second = await env.outbox.otpAfter(person.phone, seen + 1);
  assert.equal(await env.outbox.count(person.phone), seen + 2, 'the resend sent a second SMS');
  await run.screen('otp-resent');

  if (second !== first) {
    // The first code was replaced by the second.
    await steps.submitOtp(run, first);
    await steps.expectFieldError(run, 'code', run.t('problem-otp-wrong', { left: 4 }));
    await run.screen('otp-old-code-refused');
  }
  await steps.submitOtp(run, second);
  await steps.expectAccount(run, person);
  await run.screen('account');
});

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
