'use strict';
// Scenario 14: Sim ký số (S6) — the person types the number of their PKI SIM and confirms on
// the phone with the SIM's PIN. The phone is the sandbox's phone simulator
// (/sandbox/phone/{msisdn}), opened in a second page of the run's browser as the person's
// phone: it must show the same verification code as the portal's page and the Vietnamese
// text the SIM displays.
// a. Registration, once per file (the variants share one demo): /register → "SIM ký số" →
//    the citizen SIM's number → the waiting page's code is on the phone → a wrong PIN is
//    refused there, 1234 signs → the portal's page goes on (by itself with JavaScript, after
//    "refresh" without) to who the certificate proves → an e-mail → done, leading to the SIM
//    tab.
// b. Sign-in on the "SIM ký số" tab of /login, confirmed on the phone: /account shows the
//    person and the bound certificate; or a relying service asking for LoA3 (`dvc-demo`,
//    acr_values=LoA3), where the SIM tab signs in too and the id_token says acr LoA3, amr sc
//    and pin.
// c. Refusals: "Hủy / Cancel" on the phone (the page says so and asks for the number again);
//    "cancel" on the portal's own waiting page (back to the number); the revoked SIM,
//    refused as revoked with the date.
//
// The push cap. One phone receives at most 5 signing requests a day from one address
// (`max_pushes_per_phone_per_address_per_day`), and every run comes from 127.0.0.1 to the
// file's one demo. Everything in every variant would be 26 pushes for 3 SIMs (15 allowed),
// so each variant does a share (PLANS) and `push` counts them per SIM against the cap:
//   citizen SIM  — the registration (first variant, without JavaScript) and one sign-in in
//                  each of the four others (two on /login, two for the relying service): 5;
//   revoked SIM  — the refusal as revoked, in every variant: 5;
//   business SIM — the refusal on the phone (3 variants) and the cancel on the portal (2): 5.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const { sandboxCertificates } = require('../lib/sandbox');
const { authorizeRequest, received, idTokenClaims } = require('../lib/oidc');
const steps = require('../lib/steps');
const signing = require('../lib/signing');

const SIM_TAB = '/login/method/sim-pki';
const REGISTER_SIM = '/register/sim-pki';
const SIM_PIN = '1234';
const PUSHES_PER_ADDRESS = 5;

/**
 * What each variant does, by `<nojs->lang-width`: the sign-in with the citizen SIM ('login':
 * on /login; 'service': for the relying service, LoA3; null: none), the refusal on the phone,
 * the cancel on the portal. Every variant refuses the revoked SIM.
 */
const PLANS = {
  'nojs-vi-360': { signIn: null, cancelOnPhone: true, cancelOnPortal: false },
  'vi-360': { signIn: 'login', cancelOnPhone: true, cancelOnPortal: false },
  'vi-1280': { signIn: 'service', cancelOnPhone: false, cancelOnPortal: true },
  'en-360': { signIn: 'service', cancelOnPhone: false, cancelOnPortal: true },
  'en-1280': { signIn: 'login', cancelOnPhone: true, cancelOnPortal: false },
};

// The phone simulator is the sandbox's, not translated by the portal's files: its words here.
const PHONE = {
  wrongPin: (left) => `Sai mã PIN — còn ${left} lần thử.`,
  signed: 'Đã ký.',
  cancelled: 'Đã hủy yêu cầu.',
};

/** The SIM of `role` as /sandbox/pki.json lists it: its number both ways and its holder. */
function sim(env, role) {
  const certificate = env.pki.get(role);
  assert.equal(certificate.key_holder, 'sim', `${role} is a SIM's certificate`);
  const msisdn = certificate.msisdn.replace(/^\+/, '');
  return { role, msisdn, national: `0${msisdn.slice(2)}`, holder: certificate.holder, certificate };
}

/** Counts a request pushed to the SIM of `role`; the cap per address must never be reached. */
function push(env, role) {
  env.pushes = env.pushes || new Map();
  const count = (env.pushes.get(role) || 0) + 1;
  env.pushes.set(role, count);
  assert.ok(count <= PUSHES_PER_ADDRESS, `push ${count} to the ${role} SIM from one address: over the daily cap of ${PUSHES_PER_ADDRESS}`);
}

/** The "SIM ký số" step: the lead and the number field. */
async function expectSimPhoneStep(run) {
  const { page } = run;
  assert.equal(await steps.text(page.locator('main p.lead')), run.t('flow-sim-phone-lead'));
  const label = await steps.text(page.locator('label[for="f-phone"]'));
  assert.ok(label.startsWith(run.t('field-sim-phone')), `the number's label ("${label}")`);
  assert.equal(await page.locator('#f-phone').getAttribute('type'), 'tel');
}

/** The sign-in page on the SIM tab. */
async function expectSimTab(run) {
  await run.expectHeading('action-sign-in');
  await signing.expectCurrentTab(run, 'login-tab-sim-pki');
  await expectSimPhoneStep(run);
}

/** Types the SIM's number and continues: the portal pushes a request to that phone. */
async function sendToPhone(run, env, simCard) {
  await run.page.locator('#f-phone').fill(simCard.national);
  push(env, simCard.role);
  await run.go(run.button('action-continue'));
}

/** The phone of `simCard`, a second page of the run's browser. */
async function openPhone(run, simCard) {
  const phone = await run.context.newPage();
  await phone.goto(`/sandbox/phone/${simCard.msisdn}`);
  return phone;
}

/** The phone shows the waiting request: the portal's code and its Vietnamese text. */
async function expectPhoneRequest(phone, code, purpose) {
  const request = phone.locator('section.phone');
  await request.waitFor();
  assert.equal(await steps.text(request.locator('.code')), code, 'the phone shows the code of the portal\'s page');
  assert.equal((await request.locator('pre').innerText()).trim(), signing.displayText(purpose, code),
    'the phone shows the portal\'s text, in Vietnamese, with the code');
}

/** Presses "Ký / Sign" (with `pin`) or "Hủy / Cancel" on the phone; returns what it says then. */
async function answerOnPhone(phone, action, pin = '') {
  if (pin) await phone.locator('input[name="pin"]').fill(pin);
  await Promise.all([
    phone.waitForNavigation({ waitUntil: 'load' }),
    phone.locator(`button[name="action"][value="${action}"]`).click(),
  ]);
  // Under the heading (the sandbox's banner above it is a note too).
  return steps.text(phone.locator('h1 ~ p.note, h1 ~ p.error').first());
}

/** Signs the waiting request on the phone with the right PIN, having checked it. */
async function signOnPhone(run, simCard, code, purpose, shot) {
  const phone = await openPhone(run, simCard);
  await expectPhoneRequest(phone, code, purpose);
  if (shot) await run.screen(shot, phone);
  assert.ok((await answerOnPhone(phone, 'sign', SIM_PIN)).startsWith(PHONE.signed), 'the phone signed');
  await phone.close();
}

/**
 * a. Registration with the citizen SIM, from /register; the phone refuses a wrong PIN first.
 * Ends on the done page.
 */
async function registerWithSim(run, env, simCard) {
  const { page } = run;
  await run.open('/register');
  await run.go(page.locator(`section[aria-labelledby="channel-sim"] a[href="${REGISTER_SIM}"]`));
  await run.expectHeading('flow-register-sim-title');
  assert.equal(await page.locator('.tabs').count(), 0, 'registering, no sign-in tabs');
  await expectSimPhoneStep(run);
  await run.screen('register-sim');

  await sendToPhone(run, env, simCard);
  const code = await signing.expectWaiting(run, 'flow-register-sim-title');
  await signing.screenWaiting(run, 'register-waiting');
  await signing.expectStillWaiting(run, 'flow-register-sim-title', code);

  const phone = await openPhone(run, simCard);
  await expectPhoneRequest(phone, code, 'register');
  await run.screen('phone-register', phone);
  const refused = await answerOnPhone(phone, 'sign', '0000');
  assert.ok(refused.startsWith(PHONE.wrongPin(2)), `the phone refuses the wrong PIN ("${refused}")`);
  await expectPhoneRequest(phone, code, 'register');
  await run.screen('phone-wrong-pin', phone);
  // The wrong PIN is the phone's business: the portal's page still waits, with the same code.
  await signing.expectStillWaiting(run, 'flow-register-sim-title', code);
  assert.ok((await answerOnPhone(phone, 'sign', SIM_PIN)).startsWith(PHONE.signed));
  await phone.close();

  await signing.untilAnswered(run, page.locator('#f-email'));
  await run.expectHeading('flow-register-sim-title');
  assert.equal(await steps.text(page.locator('main p.lead')), run.t('flow-register-sim-lead'));
  const fact = await signing.facts(run);
  assert.equal(fact('field-full-name'), simCard.holder.full_name, 'the page names the certificate\'s holder');
  assert.equal(fact('field-personal-id'), simCard.holder.personal_id, 'the page shows the personal ID the certificate proves');
  await page.locator('#f-email').fill('thinh.le@example.com');
  await run.screen('register-certificate');
  await run.go(page.locator('button[name="action"][value="register_certificate"]'));

  await run.expectHeading('done-registered-certificate-title');
  assert.equal(await steps.text(page.locator('main .notice-success')), run.t('done-registered-sim-message'));
  const signIn = page.locator(`main a[href="${SIM_TAB}"]`);
  assert.equal(await steps.text(signIn), run.t('action-sign-in'), 'the done page leads to the SIM tab');
  await run.screen('register-done');
}

/** b. Sign-in on /login's SIM tab, confirmed on the phone: /account. */
async function signInOnLogin(run, env, simCard) {
  await run.open(SIM_TAB);
  await expectSimTab(run);
  await run.screen('sim-phone');
  await sendToPhone(run, env, simCard);
  assert.equal(await run.page.locator('.tabs').count(), 0, 'waiting, no tabs to switch to');
  const code = await signing.expectWaiting(run, 'action-sign-in');
  await signing.screenWaiting(run, 'sim-waiting');
  await signOnPhone(run, simCard, code, 'signIn', 'phone-sign-in');
  await signing.untilAnswered(run, (url) => url.pathname === '/account');
  await signing.expectCertificateAccount(run, simCard.holder, 'Viettel-CA');
  await run.screen('sim-account');
  await steps.signOut(run);
}

/** b. A relying service asks for LoA3: the SIM tab signs in, the id_token says how. */
async function signInForService(run, env, simCard) {
  const { page } = run;
  const state = `loa3-sim-${run.lang}-${run.width}`;
  const request = authorizeRequest(env.base, { ui_locales: run.lang, acr_values: 'LoA3', prompt: 'login', state });
  await page.goto(request.url);
  await run.expectHeading('action-sign-in');
  assert.equal(await steps.text(page.locator('.for-service')),
    run.t('flow-for-service', { service: 'Dịch vụ công mẫu (demo)' }),
    'the sign-in page names the service the person is signing in to');
  const tabs = await page.locator('.tabs li').allInnerTexts();
  assert.ok(!tabs.map((tab) => tab.trim()).includes(run.t('login-tab-password-sms')), `no tab below LoA3 (${JSON.stringify(tabs)})`);
  const simTab = page.locator('.tabs button[value="sim_pki"]');
  assert.equal(await steps.text(simTab), run.t('login-tab-sim-pki'));
  if (await simTab.getAttribute('aria-current') !== 'page') await run.go(simTab);
  await expectSimTab(run);
  await run.screen('rp-sim-phone');
  await sendToPhone(run, env, simCard);
  const code = await signing.expectWaiting(run, 'action-sign-in');
  assert.equal(await steps.text(page.locator('.for-service')),
    run.t('flow-for-service', { service: 'Dịch vụ công mẫu (demo)' }), 'the waiting page names the service too');
  await signOnPhone(run, simCard, code, 'signIn');
  await signing.untilAnswered(run, (url) => url.pathname === '/sandbox/rp/callback');
  const back = received(run, env.base);
  assert.equal(back.get('error'), null, `no error (${back.get('error_description')})`);
  assert.match(back.get('code') || '', /^[A-Za-z0-9_-]{20,}$/, 'a code came back');
  assert.equal(back.get('state'), state);
  assert.equal(back.get('iss'), env.base);
  const claims = await idTokenClaims(env.demo, back.get('code'), request.verifier);
  assert.equal(claims.acr, 'LoA3', 'signed in at LoA3');
  assert.ok(Array.isArray(claims.amr) && claims.amr.includes('sc') && claims.amr.includes('pin'),
    `amr says a smart card and its PIN (${JSON.stringify(claims.amr)})`);

  // The portal's own session: /account shows the person.
  await page.goto('/account');
  await signing.expectCertificateAccount(run, simCard.holder, 'Viettel-CA');
  await steps.signOut(run);
  signing.forgiveAgentLookups(run);
}

/** c. "Hủy / Cancel" on the phone: the portal says it was refused there and asks again. */
async function cancelOnPhone(run, env, simCard) {
  const { page } = run;
  await run.open(SIM_TAB);
  await expectSimTab(run);
  await sendToPhone(run, env, simCard);
  const code = await signing.expectWaiting(run, 'action-sign-in');
  const phone = await openPhone(run, simCard);
  await expectPhoneRequest(phone, code, 'signIn');
  assert.ok((await answerOnPhone(phone, 'cancel')).startsWith(PHONE.cancelled), 'the phone cancelled');
  await phone.close();
  await signing.untilAnswered(run, page.locator('#f-phone'));
  await expectSimTab(run);
  await signing.expectRefusal(run, run.t('problem-signing-cancelled'));
  assert.equal(await page.locator('#f-phone').inputValue(), simCard.national, 'the number typed is kept');
  await run.screen('sim-cancelled-on-phone');
}

/** c. "cancel" on the portal's waiting page: back to the number, nothing refused. */
async function cancelOnPortal(run, env, simCard) {
  const { page } = run;
  await run.open(SIM_TAB);
  await expectSimTab(run);
  await sendToPhone(run, env, simCard);
  await signing.expectWaiting(run, 'action-sign-in');
  await signing.pressOnWaiting(run, 'action-cancel');
  await expectSimTab(run);
  assert.equal(await page.locator('.error-summary').count(), 0, 'cancelling is no error');
  await run.screen('sim-cancelled-on-portal');
}

/** c. The revoked SIM signs (its MSSP does not know), the portal finds it revoked. */
async function refuseRevoked(run, env, simCard) {
  const { page } = run;
  await run.open(SIM_TAB);
  await expectSimTab(run);
  await sendToPhone(run, env, simCard);
  const code = await signing.expectWaiting(run, 'action-sign-in');
  await signOnPhone(run, simCard, code, 'signIn');
  await signing.untilAnswered(run, page.locator('#f-phone'));
  await expectSimTab(run);
  await signing.expectRefusal(run, run.t('problem-pki-revoked'),
    signing.revokedOn(run.lang, simCard.certificate.revocation.at));
  await run.screen('sim-revoked');
}

scenario('Sign in with a PKI SIM (Sim ký số), confirmed on the phone', 'sim-pki', async (run, env) => {
  env.pki = env.pki || await sandboxCertificates(env.base);
  const plan = PLANS[`${run.js ? '' : 'nojs-'}${run.lang}-${run.width}`];
  assert.ok(plan, 'every variant has its share of the pushes');
  const citizen = sim(env, 'sim_citizen');
  // The browser asks for the other language: the run switches on the home page first.
  await run.open('/');

  if (!env.simRegistered) {
    await registerWithSim(run, env, citizen);
    env.simRegistered = true;
  }
  if (plan.signIn === 'login') await signInOnLogin(run, env, citizen);
  if (plan.signIn === 'service') await signInForService(run, env, citizen);
  if (plan.cancelOnPhone) await cancelOnPhone(run, env, sim(env, 'sim_business'));
  if (plan.cancelOnPortal) await cancelOnPortal(run, env, sim(env, 'sim_business'));
  await refuseRevoked(run, env, sim(env, 'sim_citizen_revoked'));
}, {
  variants: [
    // First: the registration, made without JavaScript (the person presses "refresh"); the
    // sign-ins of the other variants show the page going on by itself.
    { lang: 'vi', width: 360, js: false },
    { lang: 'vi', width: 360 },
    { lang: 'vi', width: 1280 },
    { lang: 'en', width: 360 },
    { lang: 'en', width: 1280 },
  ],
});
