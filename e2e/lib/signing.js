'use strict';
// Steps the scenarios of signing on a phone share (Sim ký số, VNPT SmartCA): the portal's
// waiting page with its verification code, which app.js refreshes by itself every
// `poll_after_secs` and a person without JavaScript refreshes with its button; refusals in
// the error summary; what a certificate proves, on the registration page and on /account.

const assert = require('node:assert/strict');
const { text } = require('./steps');

/** The waiting step's refresh interval in the demo (`[signing] poll_secs`). */
const POLL_AFTER_SECS = 2;

/**
 * What the phone shows beside the code (flows::signing::SigningPurpose::display_text): kept
 * here as the person reads it, not trusted from the code under test.
 */
function displayText(purpose, code) {
  const what = { signIn: 'Đăng nhập', register: 'Đăng ký tài khoản' }[purpose];
  assert.ok(what, `no display text for ${purpose}`);
  return `Cổng DVC quốc gia: ${what}. Mã kiểm tra ${code}. Chỉ xác nhận nếu bạn đang thao tác.`;
}

/** The sentence the portal adds to "cannot be used" for a revoked certificate, with its date (UTC+7). */
function revokedOn(lang, at) {
  const day = new Date(Date.parse(at) + 7 * 3600_000).toISOString().slice(0, 10);
  const [year, month, date] = day.split('-');
  return lang === 'vi'
    ? `Chứng thư số đã bị thu hồi ngày ${date}/${month}/${year}`
    : `The certificate was revoked on ${year}-${month}-${date}`;
}

/**
 * The waiting step, under the heading `heading`: the lead, a 4-digit verification code that
 * a screen reader announces, "refresh" and "cancel", and the interval app.js waits before it
 * refreshes. Returns the code.
 */
async function expectWaiting(run, heading) {
  const { page } = run;
  await page.locator('.verification-code').waitFor();
  await run.expectHeading(heading);
  assert.equal(await text(page.locator('main p.lead')), run.t('flow-waiting-lead'));
  const shown = page.locator('.verification-code');
  const code = await text(shown);
  assert.match(code, /^\d{4}$/, `a 4-digit verification code ("${code}")`);
  assert.equal(await shown.getAttribute('aria-live'), 'polite');
  const form = page.locator('form[data-poll-after]');
  assert.equal(await form.getAttribute('data-poll-after'), String(POLL_AFTER_SECS));
  assert.equal(await form.getByRole('button', { name: run.t('action-refresh'), exact: true }).getAttribute('value'), 'poll');
  assert.equal(await form.getByRole('button', { name: run.t('action-cancel'), exact: true }).getAttribute('value'), 'cancel');
  return code;
}

/**
 * Keeps the waiting page as a screen. With JavaScript the page reloads itself every
 * POLL_AFTER_SECS: the shot is taken just after one reload, with the whole interval ahead.
 */
async function screenWaiting(run, name) {
  if (run.js) await run.page.waitForNavigation({ waitUntil: 'load', timeout: (POLL_AFTER_SECS + 5) * 1000 });
  await run.screen(name);
}

/**
 * The phone answered: with JavaScript the page goes on by itself (nothing is pressed);
 * without, the person presses "refresh". `next` is a locator of the step that follows, or a
 * function of the URL.
 */
async function untilAnswered(run, next) {
  const { page } = run;
  const arrived = async () => (typeof next === 'function' ? next(new URL(page.url())) : (await next.count()) > 0);
  if (!run.js) {
    assert.equal(await page.locator('.verification-code').count(), 1, 'still waiting until the person refreshes');
    // The portal asks the signing service at most once a second, however often "refresh" is
    // pressed: a person who presses it again a moment later sees the answer.
    for (let press = 0; press < 5 && !(await arrived()); press += 1) {
      if (press > 0) await new Promise((resolve) => setTimeout(resolve, 1200));
      await run.go(run.button('action-refresh'));
    }
  }
  const timeout = (POLL_AFTER_SECS * 4 + 5) * 1000;
  if (typeof next === 'function') {
    await page.waitForURL(next, { timeout, waitUntil: 'load' });
  } else {
    await next.waitFor({ timeout });
    await page.waitForLoadState('load');
  }
}

/**
 * Without JavaScript, "refresh" before the phone answered: the same waiting step, the same
 * code. With JavaScript, the page refreshes itself at least once and still waits.
 */
async function expectStillWaiting(run, heading, code) {
  if (run.js) {
    await run.page.waitForNavigation({ waitUntil: 'load', timeout: (POLL_AFTER_SECS + 5) * 1000 });
  } else {
    await run.go(run.button('action-refresh'));
  }
  assert.equal(await expectWaiting(run, heading), code, 'the code stays the same while the request waits');
}

/**
 * Presses the waiting page's button `key` ("cancel"). With JavaScript it is pressed just after
 * one of the page's own refreshes, so that the two do not meet (the form takes one submit at
 * a time).
 */
async function pressOnWaiting(run, key) {
  if (run.js) await run.page.waitForNavigation({ waitUntil: 'load', timeout: (POLL_AFTER_SECS + 5) * 1000 });
  await run.go(run.button(key));
}

/** The portal refused: the error summary has an item starting with `message` (and saying `detail`). */
async function expectRefusal(run, message, detail) {
  const items = (await run.page.locator('.error-summary-list > li').allInnerTexts()).map((item) => item.replace(/\s+/g, ' ').trim());
  const item = items.find((shown) => shown.startsWith(message));
  assert.ok(item, `the error summary says "${message}" (it says ${JSON.stringify(items)})`);
  if (detail) assert.ok(item.includes(detail), `the refusal says "${detail}" ("${item}")`);
}

/** The values of a `dl.facts` list by their labels' keys. */
async function facts(run) {
  const pairs = await run.page.locator('main dl.facts').locator('dt, dd').allInnerTexts();
  const trimmed = pairs.map((shown) => shown.replace(/\s+/g, ' ').trim());
  return (key) => {
    const at = trimmed.indexOf(run.t(key));
    assert.ok(at >= 0 && at % 2 === 0, `the facts have "${run.t(key)}" (${JSON.stringify(trimmed)})`);
    return trimmed[at + 1];
  };
}

/** /account of `holder`, with the one certificate bound, issued by `issuer`. */
async function expectCertificateAccount(run, holder, issuer) {
  assert.equal(run.path(), '/account', 'signed in, the person is on /account');
  await run.expectHeading('account-title');
  const fact = await facts(run);
  assert.equal(fact('field-full-name'), holder.full_name, 'the account shows the person\'s name');
  assert.equal(fact('field-personal-id'), holder.personal_id);
  const section = run.page.locator('section[aria-labelledby="certificates"]');
  assert.equal(await text(section.locator('h2#certificates')), run.t('account-certificates-heading'));
  const rows = (await section.locator('tbody tr').allInnerTexts()).map((shown) => shown.replace(/\s+/g, ' ').trim());
  assert.equal(rows.length, 1, `one certificate bound (${JSON.stringify(rows)})`);
  assert.ok(rows[0].includes(issuer), `the bound certificate is the ${issuer} one ("${rows[0]}")`);
}

/** The tab of the sign-in page that is current has the text of `key`. */
async function expectCurrentTab(run, key) {
  assert.equal(await text(run.page.locator('.tabs [aria-current="page"]')), run.t(key), `the "${run.t(key)}" tab is the current one`);
}

/**
 * The sign-in page's own tab of the signing agent (USB ký số) looks for the agent on
 * 127.0.0.1 and Chromium logs the refused connection as a console error: that one is no
 * fault of the page (another run may even have an agent there, then nothing is logged).
 */
function forgiveAgentLookups(run) {
  run.scriptErrors = run.scriptErrors.filter((error) => error !== 'console: Failed to load resource: net::ERR_CONNECTION_REFUSED');
}

module.exports = {
  POLL_AFTER_SECS, displayText, revokedOn, expectWaiting, screenWaiting, untilAnswered, expectStillWaiting, pressOnWaiting,
  expectRefusal, facts, expectCertificateAccount, expectCurrentTab, forgiveAgentLookups,
};
