'use strict';
// Scenario 15: VNPT SmartCA, remote signing (S8) — the person signs in at SmartCA (the
// sandbox's sign-in page: user id = personal ID, password), comes back to the portal, which
// pushes a signing request to the SmartCA app; the app (the sandbox's simulator,
// /sandbox/smartca/app/{personal_id}, opened in a second page of the run's browser as the
// person's phone) must show the same verification code and the portal's Vietnamese text.
// a. Registration, once per file (the variants share one demo): /register → "VNPT SmartCA"
//    → SmartCA's sign-in page → back, waiting with a code → "Xác nhận / Approve" in the app
//    → the portal's page goes on (by itself with JavaScript, after "refresh" without) to who
//    the certificate proves → an e-mail → done, leading to the SmartCA tab.
// b. Sign-in on the "VNPT SmartCA" tab of /login the same way: /account shows the person and
//    the bound certificate. A relying service asking for LoA3 (`dvc-demo`,
//    acr_values=LoA3): the SmartCA tab signs in there too, and the id_token says acr LoA3,
//    amr swk and pin.
// c. Refusals: "Từ chối / Refuse" in the app (the page says it was refused and offers SmartCA
//    again); "cancel" on the portal's own waiting page; the revoked certificate's holder,
//    refused as revoked with the date.
// No push cap applies here (the person has signed in at SmartCA before anything is pushed),
// so every variant does everything.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const { sandboxCertificates } = require('../lib/sandbox');
const { authorizeRequest, received, idTokenClaims } = require('../lib/oidc');
const steps = require('../lib/steps');
const signing = require('../lib/signing');

const SMARTCA_TAB = '/login/method/remote-signing';
const REGISTER_SMARTCA = '/register/remote-signing';
const SMARTCA_SIGN_IN = '/sandbox/smartca/auth/authorize';
// Published sandbox credentials (crates/sandbox/PROTOCOL.md, "Remote signing service").
const SMARTCA_CLIENT_ID = 'dvcid-sandbox';
const SMARTCA_PASSWORD = 'SmartCA@2024';
const CALLBACK = '/login/remote-signing/callback';

/** The SmartCA user of `role` as /sandbox/pki.json lists the certificate: user id = personal ID. */
function smartcaUser(env, role) {
  const certificate = env.pki.get(role);
  assert.equal(certificate.key_holder, 'remote', `${role} is kept by the remote signing service`);
  return { role, userId: certificate.holder.personal_id, holder: certificate.holder, certificate };
}

/** The redirect step: the lead and the link out to SmartCA's sign-in page, this trip's. */
async function expectRedirectStep(run, env) {
  const { page } = run;
  assert.equal(await steps.text(page.locator('main p.lead')), run.t('flow-redirect-lead'));
  const out = page.locator('main a.btn', { hasText: run.t('action-continue') });
  const url = new URL(await out.getAttribute('href'));
  assert.equal(`${url.origin}${url.pathname}`, `${env.base}${SMARTCA_SIGN_IN}`, 'the link leads to SmartCA\'s sign-in page');
  assert.equal(url.searchParams.get('client_id'), SMARTCA_CLIENT_ID);
  assert.equal(url.searchParams.get('redirect_uri'), `${env.base}${CALLBACK}`);
  assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
  assert.match(url.searchParams.get('code_challenge') || '', /^[A-Za-z0-9_-]{43}$/);
  assert.match(url.searchParams.get('state') || '', /^[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}$/, 'the state names the flow');
  return out;
}

/** The sign-in page on the SmartCA tab. */
async function expectSmartcaTab(run, env) {
  await run.expectHeading('action-sign-in');
  await signing.expectCurrentTab(run, 'login-tab-remote-signing');
  return expectRedirectStep(run, env);
}

/**
 * Follows the link out, signs in at SmartCA's page as `user` and comes back to the portal,
 * which has pushed the request: returns the waiting page's code.
 */
async function signInAtSmartca(run, user, heading, shot) {
  const { page } = run;
  const out = page.locator('main a.btn', { hasText: run.t('action-continue') });
  await run.go(out);
  assert.equal(run.path(), SMARTCA_SIGN_IN, 'at SmartCA\'s sign-in page');
  await page.locator('input[name="user_id"]').fill(user.userId);
  await page.locator('input[name="password"]').fill(SMARTCA_PASSWORD);
  if (shot) await run.screen(shot);
  await run.go(page.locator('button[name="action"][value="sign_in"]'));
  await run.expectLanguage();
  return signing.expectWaiting(run, heading);
}

/** The person's SmartCA app, a second page of the run's browser. */
async function openApp(run, user) {
  const app = await run.context.newPage();
  await app.goto(`/sandbox/smartca/app/${user.userId}`);
  return app;
}

/**
 * Answers (`approve` or `refuse`) the app's request with the portal's code, having checked
 * that it shows the portal's text. Requests the portal gave up on may wait there too.
 */
async function answerInApp(run, user, code, purpose, answer, shot) {
  const app = await openApp(run, user);
  const requests = app.locator('section.request');
  await requests.first().waitFor();
  const codes = (await requests.locator('.code').allInnerTexts()).map((shown) => shown.trim());
  const at = codes.indexOf(code);
  assert.ok(at >= 0, `the app shows the portal's code ${code} (it shows ${JSON.stringify(codes)})`);
  const request = requests.nth(at);
  assert.equal(await steps.text(request.locator('p').first()), signing.displayText(purpose, code),
    'the app shows the portal\'s text, in Vietnamese, with the code');
  if (shot) await run.screen(shot, app);
  await Promise.all([
    app.waitForNavigation({ waitUntil: 'load' }),
    request.locator(`button[name="answer"][value="${answer}"]`).click(),
  ]);
  const left = (await app.locator('section.request .code').allInnerTexts()).map((shown) => shown.trim());
  assert.ok(!left.includes(code), 'the answered request no longer waits in the app');
  await app.close();
}

/** a. Registration with SmartCA, from /register. Ends on the done page. */
async function registerWithSmartca(run, env, user) {
  const { page } = run;
  await run.open('/register');
  await run.go(page.locator(`section[aria-labelledby="channel-remote"] a[href="${REGISTER_SMARTCA}"]`));
  await run.expectHeading('flow-register-remote-title');
  assert.equal(await page.locator('.tabs').count(), 0, 'registering, no sign-in tabs');
  await expectRedirectStep(run, env);
  await run.screen('register-smartca');

  const code = await signInAtSmartca(run, user, 'flow-register-remote-title', 'smartca-sign-in');
  await signing.screenWaiting(run, 'register-waiting');
  await signing.expectStillWaiting(run, 'flow-register-remote-title', code);
  await answerInApp(run, user, code, 'register', 'approve', 'app-register');

  await signing.untilAnswered(run, page.locator('#f-email'));
  await run.expectHeading('flow-register-remote-title');
  assert.equal(await steps.text(page.locator('main p.lead')), run.t('flow-register-remote-lead'));
  const fact = await signing.facts(run);
  assert.equal(fact('field-full-name'), user.holder.full_name, 'the page names the certificate\'s holder');
  assert.equal(fact('field-personal-id'), user.holder.personal_id, 'the page shows the personal ID the certificate proves');
  await page.locator('#f-email').fill('nhi.nguyen@example.com');
  await run.screen('register-certificate');
  await run.go(page.locator('button[name="action"][value="register_certificate"]'));

  await run.expectHeading('done-registered-certificate-title');
  assert.equal(await steps.text(page.locator('main .notice-success')), run.t('done-registered-remote-message'));
  const signIn = page.locator(`main a[href="${SMARTCA_TAB}"]`);
  assert.equal(await steps.text(signIn), run.t('action-sign-in'), 'the done page leads to the SmartCA tab');
  await run.screen('register-done');
}

/** b. Sign-in on /login's SmartCA tab, approved in the app: /account. */
async function signInOnLogin(run, env, user) {
  await run.open(SMARTCA_TAB);
  await expectSmartcaTab(run, env);
  await run.screen('smartca-redirect');
  const code = await signInAtSmartca(run, user, 'action-sign-in');
  assert.equal(await run.page.locator('.tabs').count(), 0, 'waiting, no tabs to switch to');
  await signing.screenWaiting(run, 'smartca-waiting');
  await answerInApp(run, user, code, 'signIn', 'approve', 'app-sign-in');
  await signing.untilAnswered(run, (url) => url.pathname === '/account');
  await signing.expectCertificateAccount(run, user.holder, 'VNPT Certification Authority');
  await run.screen('smartca-account');
  await steps.signOut(run);
}

/** b. A relying service asks for LoA3: the SmartCA tab signs in, the id_token says how. */
async function signInForService(run, env, user) {
  const { page } = run;
  const state = `loa3-smartca-${run.lang}-${run.width}`;
  const request = authorizeRequest(env.base, { ui_locales: run.lang, acr_values: 'LoA3', prompt: 'login', state });
  await page.goto(request.url);
  await run.expectHeading('action-sign-in');
  const forService = run.t('flow-for-service', { service: 'Dịch vụ công mẫu (demo)' });
  assert.equal(await steps.text(page.locator('.for-service')), forService,
    'the sign-in page names the service the person is signing in to');
  const tabs = (await page.locator('.tabs li').allInnerTexts()).map((tab) => tab.trim());
  assert.ok(!tabs.includes(run.t('login-tab-password-sms')), `no tab below LoA3 (${JSON.stringify(tabs)})`);
  const smartcaTab = page.locator('.tabs button[value="remote_signing"]');
  assert.equal(await steps.text(smartcaTab), run.t('login-tab-remote-signing'));
  if (await smartcaTab.getAttribute('aria-current') !== 'page') await run.go(smartcaTab);
  await expectSmartcaTab(run, env);
  await run.screen('rp-smartca-redirect');
  const code = await signInAtSmartca(run, user, 'action-sign-in');
  assert.equal(await steps.text(page.locator('.for-service')), forService, 'back from SmartCA, the page still names the service');
  await answerInApp(run, user, code, 'signIn', 'approve');
  await signing.untilAnswered(run, (url) => url.pathname === '/sandbox/rp/callback');
  const back = received(run, env.base);
  assert.equal(back.get('error'), null, `no error (${back.get('error_description')})`);
  assert.match(back.get('code') || '', /^[A-Za-z0-9_-]{20,}$/, 'a code came back');
  assert.equal(back.get('state'), state);
  assert.equal(back.get('iss'), env.base);
  const claims = await idTokenClaims(env.demo, back.get('code'), request.verifier);
  assert.equal(claims.acr, 'LoA3', 'signed in at LoA3');
  assert.ok(Array.isArray(claims.amr) && claims.amr.includes('swk') && claims.amr.includes('pin'),
    `amr says a software key and its PIN (${JSON.stringify(claims.amr)})`);

  await page.goto('/account');
  await signing.expectCertificateAccount(run, user.holder, 'VNPT Certification Authority');
  await steps.signOut(run);
  signing.forgiveAgentLookups(run);
}

/** c. "Từ chối / Refuse" in the app: the portal says it was refused, SmartCA is offered again. */
async function refuseInApp(run, env, user) {
  await run.open(SMARTCA_TAB);
  await expectSmartcaTab(run, env);
  const code = await signInAtSmartca(run, user, 'action-sign-in');
  await answerInApp(run, user, code, 'signIn', 'refuse', 'app-refuse');
  await signing.untilAnswered(run, run.page.locator('.error-summary'));
  await expectSmartcaTab(run, env);
  await signing.expectRefusal(run, run.t('problem-signing-cancelled'));
  await run.screen('smartca-refused-in-app');
}

/** c. "cancel" on the portal's waiting page: back to the SmartCA tab, nothing refused. */
async function cancelOnPortal(run, env, user) {
  await run.open(SMARTCA_TAB);
  await expectSmartcaTab(run, env);
  await signInAtSmartca(run, user, 'action-sign-in');
  await signing.pressOnWaiting(run, 'action-cancel');
  await expectSmartcaTab(run, env);
  assert.equal(await run.page.locator('.error-summary').count(), 0, 'cancelling is no error');
  await run.screen('smartca-cancelled-on-portal');
}

/** c. The revoked certificate's holder approves; the portal finds the certificate revoked. */
async function refuseRevoked(run, env, user) {
  await run.open(SMARTCA_TAB);
  await expectSmartcaTab(run, env);
  const code = await signInAtSmartca(run, user, 'action-sign-in');
  await answerInApp(run, user, code, 'signIn', 'approve');
  await signing.untilAnswered(run, run.page.locator('.error-summary'));
  await expectSmartcaTab(run, env);
  await signing.expectRefusal(run, run.t('problem-pki-revoked'),
    signing.revokedOn(run.lang, user.certificate.revocation.at));
  await run.screen('smartca-revoked');
}

scenario('Sign in with VNPT SmartCA, approved in the app', 'smartca', async (run, env) => {
  env.pki = env.pki || await sandboxCertificates(env.base);
  const citizen = smartcaUser(env, 'remote_citizen');
  // The browser asks for the other language: the run switches on the home page first.
  await run.open('/');

  if (!env.smartcaRegistered) {
    await registerWithSmartca(run, env, citizen);
    env.smartcaRegistered = true;
  }
  await signInOnLogin(run, env, citizen);
  await signInForService(run, env, citizen);
  await refuseInApp(run, env, citizen);
  await cancelOnPortal(run, env, citizen);
  await refuseRevoked(run, env, smartcaUser(env, 'remote_citizen_revoked'));
}, {
  variants: [
    { lang: 'vi', width: 360 },
    { lang: 'vi', width: 1280 },
    { lang: 'en', width: 360 },
    { lang: 'en', width: 1280 },
    // Without JavaScript the person presses "refresh" on the waiting page.
    { lang: 'vi', width: 360, js: false },
  ],
});
