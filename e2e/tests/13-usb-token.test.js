'use strict';
// Scenario 13: sign in with a USB token through the local signing agent (S7), with a real
// `dvcid-agent` in front of SoftHSM2 tokens made from the demo's sandbox certificates.
// a. No agent running: the "USB ký số" tab is current, the page guides the person to install
//    the signing tool (/help/signing-agent, in the run's language) and asks no PIN itself.
// b. The agent started, with a token holding two certificates of the same sandbox person
//    (VNPT- and Viettel-style CAs): "Thử lại" finds it. The first run registers that person
//    with the Viettel one (/register/usb-token: the agent signs, the page shows who the
//    certificate proves, an e-mail, done with a link to the USB-token tab; all runs share one
//    demo, so the others find the account there). On the sign-in tab the button opens the
//    agent's own page in a popup, which names the portal's origin and lists both certificates;
//    the person chooses the Viettel one, a wrong PIN is refused there, the right one signs, and
//    the portal's page sends the token by itself: /account shows the person and the bound
//    certificate. Signed out, the VNPT certificate (another key, never bound) is refused as
//    not bound. Then a relying service asks for LoA3 (`dvc-demo`, acr_values=LoA3): the sign-in
//    page opens on the USB-token tab, the Viettel certificate signs, the service gets a code,
//    and its id_token says acr LoA3, amr hwk and pin.
// c. Another token, with a revoked certificate: refused as revoked, with the date.
// Without JavaScript the page says that it needs it. On the desktop English run the site's
// real CSP is enforced, so its connect-src must let the page reach the agent.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const { sandboxCertificates } = require('../lib/sandbox');
const { startAgent, DEMO_AGENT_PORT, PIN } = require('../lib/agent');
const { authorizeRequest, received, idTokenClaims } = require('../lib/oidc');
const steps = require('../lib/steps');

const USB_TOKEN = '/login/method/usb-token';
const REGISTER_USB_TOKEN = '/register/usb-token';

// The agent's own page is not translated by the portal's files: its texts, as a person reads
// them (crates/agent/src/pages.rs), kept here rather than trusted from the code under test.
const AGENT = {
  vi: {
    title: 'Xác thực bằng USB ký số',
    wrongPin: [
      'Mã PIN không đúng.',
      'Mã PIN không đúng. Nhập sai thêm một lần nữa USB ký số sẽ bị khóa.',
    ],
    sign: 'Xác thực',
    done: 'Đã ký xong. Bạn có thể đóng cửa sổ này.',
  },
  en: {
    title: 'Prove who you are with your USB token',
    wrongPin: [
      'Wrong PIN.',
      'Wrong PIN. One more wrong PIN locks the token.',
    ],
    sign: 'Confirm',
    done: 'Done. You can close this window.',
  },
};

/** The sentence the portal adds to "cannot be used" for a revoked certificate, with its date (UTC+7). */
function revokedOn(lang, at) {
  const day = new Date(Date.parse(at) + 7 * 3600_000).toISOString().slice(0, 10);
  const [year, month, date] = day.split('-');
  return lang === 'vi'
    ? `Chứng thư số đã bị thu hồi ngày ${date}/${month}/${year}`
    : `The certificate was revoked on ${year}-${month}-${date}`;
}

/** The USB-token tab of the sign-in page, current, with no PIN field of its own. */
async function expectUsbTokenTab(run) {
  const { page } = run;
  await run.expectHeading('action-sign-in');
  assert.equal(await steps.text(page.locator('.tabs [aria-current="page"]')), run.t('login-tab-usb-token'),
    'the "USB ký số" tab is the current one');
  assert.equal(await page.locator('[data-local-agent]').count(), 1);
  assert.equal(await page.locator('input[type="password"], input[name="pin"], #pin').count(), 0,
    'the portal\'s page never asks for the PIN');
}

/** The page's status line says `key` (app.js writes it as it talks to the agent). */
async function waitForStatus(run, key) {
  await run.page.waitForFunction(
    (expected) => document.querySelector('[data-agent-status]').textContent === expected,
    run.t(key),
  );
}

/** No agent answers: the guidance is shown, with the guide's link and "Thử lại". */
async function expectAgentMissing(run) {
  const { page } = run;
  const missing = page.locator('[data-agent-missing]');
  await missing.waitFor({ state: 'visible' });
  assert.equal(await steps.text(missing.locator('h2')), run.t('agent-missing-title'));
  const guide = missing.locator('a[href="/help/signing-agent"]');
  assert.equal(await steps.text(guide), run.t('agent-missing-guide'));
  assert.equal(await missing.getByRole('button', { name: run.t('action-retry'), exact: true }).isVisible(), true);
  assert.equal(await page.locator('[data-agent-start]').isVisible(), false, 'nothing to press but "try again"');
}

/**
 * Presses "Ký bằng USB ký số" and does what the person does in the agent's window: checks that
 * it names the portal and lists the certificates of `roles`, chooses `choose`, types
 * `wrongPin` first when given (refused in that window), then the right PIN. Returns once the
 * portal's page has sent the token and shows the portal's answer.
 */
async function signWithToken(run, env, agent, { roles, choose, wrongPin = null }) {
  const { page } = run;
  const texts = AGENT[run.lang];
  const [popup] = await Promise.all([
    page.waitForEvent('popup'),
    page.locator('[data-agent-start]').click(),
  ]);
  await popup.waitForLoadState('load');
  await waitForStatus(run, 'agent-waiting');
  const url = new URL(popup.url());
  assert.equal(url.origin, agent.url, 'the PIN is asked on the agent\'s own origin');
  assert.match(url.pathname, /^\/confirm\/[A-Za-z0-9_-]{43}$/);
  assert.equal(await popup.locator('html').getAttribute('lang'), run.lang, 'the agent speaks the page\'s language');
  assert.equal(await steps.text(popup.locator('h1')), texts.title);
  assert.equal(await steps.text(popup.locator('#origin')), env.base, 'the agent names the site that asks');

  const radios = popup.locator('input[type="radio"][name="certificate"]');
  const listed = await radios.evaluateAll((inputs) => inputs.map((input) => input.value));
  const expected = roles.map((role) => agent.certificates.get(role).fingerprint);
  assert.deepEqual([...listed].sort(), [...expected].sort(), `the agent lists the certificates of ${roles.join(', ')}`);
  for (const role of roles) {
    const holder = env.pki.get(role).holder;
    const label = popup.locator('label.cert').filter({ has: popup.locator(`input[value="${agent.certificates.get(role).fingerprint}"]`) });
    const shown = await steps.text(label);
    assert.ok(shown.includes(holder.full_name || holder.name), `the ${role} certificate shows its holder ("${shown}")`);
    assert.ok(shown.includes(agent.certificates.get(role).token), `the ${role} certificate names its token`);
  }
  const chosen = popup.locator(`input[name="certificate"][value="${agent.certificates.get(choose).fingerprint}"]`);
  await chosen.check();
  await run.screen('agent-confirm', popup);

  const sign = popup.getByRole('button', { name: texts.sign, exact: true });
  if (wrongPin) {
    await popup.locator('#pin').fill(wrongPin);
    await Promise.all([popup.waitForNavigation({ waitUntil: 'load' }), sign.click()]);
    const problem = await steps.text(popup.locator('.problem[role="alert"]'));
    assert.ok(texts.wrongPin.includes(problem), `the agent says the PIN is wrong ("${problem}")`);
    assert.equal(await chosen.isChecked(), true, 'the chosen certificate stays chosen');
    assert.equal(await popup.locator('#pin').inputValue(), '', 'the wrong PIN is not shown again');
    assert.equal(run.path().startsWith('/flows/'), true);
    await waitForStatus(run, 'agent-waiting');
    await run.screen('agent-wrong-pin', popup);
  }

  await popup.locator('#pin').fill(agent.pin);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), sign.click()]);
  await popup.locator('#message').waitFor();
  assert.equal(await steps.text(popup.locator('#message')), texts.done);
  await run.screen('agent-done', popup);
  await popup.close();
}

/** The portal refused the token: the error summary starts with `message`. */
async function expectRefusal(run, message, detail) {
  const items = (await run.page.locator('.error-summary-list > li').allInnerTexts()).map((item) => item.replace(/\s+/g, ' ').trim());
  const item = items.find((text) => text.startsWith(message));
  assert.ok(item, `the error summary says "${message}" (it says ${JSON.stringify(items)})`);
  if (detail) assert.ok(item.includes(detail), `the refusal says "${detail}" ("${item}")`);
}

/** A certificate bound to no account: the portal says so, on the same tab, ready to try again. */
async function expectNotBound(run) {
  await expectUsbTokenTab(run);
  await expectRefusal(run, run.t('problem-certificate-not-bound'));
  await waitForStatus(run, 'agent-ready');
}

/** The values of a `dl.facts` list by their labels' keys. */
async function facts(run) {
  const pairs = await run.page.locator('main dl.facts').locator('dt, dd').allInnerTexts();
  const trimmed = pairs.map((text) => text.replace(/\s+/g, ' ').trim());
  return (key) => {
    const at = trimmed.indexOf(run.t(key));
    assert.ok(at >= 0 && at % 2 === 0, `the facts have "${run.t(key)}" (${JSON.stringify(trimmed)})`);
    return trimmed[at + 1];
  };
}

/**
 * Registers with the token (R5): /register/usb-token, the agent signs with `choose` (PIN in
 * its window), the page shows who the certificate proves, the person adds `email` and
 * registers; the done page links to the USB-token tab. Ends on the done page.
 */
async function registerWithToken(run, env, agent, { roles, choose, email }) {
  const { page } = run;
  await run.open(REGISTER_USB_TOKEN);
  await run.expectHeading('flow-register-certificate-title');
  assert.equal(await page.locator('[data-local-agent]').count(), 1);
  await waitForStatus(run, 'agent-ready');
  await run.screen('register-usb-token');
  await signWithToken(run, env, agent, { roles, choose });

  await run.expectHeading('flow-register-certificate-title');
  const holder = env.pki.get(choose).holder;
  const fact = await facts(run);
  assert.equal(fact('field-full-name'), holder.full_name, 'the page names the certificate\'s holder');
  assert.equal(fact('field-personal-id'), holder.personal_id, 'the page shows the personal ID the certificate proves');
  await page.locator('#f-email').fill(email);
  await run.screen('register-certificate');
  await run.go(page.locator('button[name="action"][value="register_certificate"]'));

  await run.expectHeading('done-registered-certificate-title');
  const signIn = page.locator(`main a[href="${USB_TOKEN}"]`);
  assert.equal(await steps.text(signIn), run.t('action-sign-in'), 'the done page leads to the USB-token tab');
  await run.screen('register-done');
}

/** /account of the certificate's holder, with the one certificate bound, issued by `issuer`. */
async function expectCertificateAccount(run, env, role, issuer) {
  assert.equal(run.path(), '/account', 'signed in, the person lands on /account');
  await run.expectHeading('account-title');
  const holder = env.pki.get(role).holder;
  const fact = await facts(run);
  assert.equal(fact('field-full-name'), holder.full_name, 'the account shows the person\'s name');
  assert.equal(fact('field-personal-id'), holder.personal_id);
  const section = run.page.locator('section[aria-labelledby="certificates"]');
  assert.equal(await steps.text(section.locator('h2#certificates')), run.t('account-certificates-heading'));
  const rows = (await section.locator('tbody tr').allInnerTexts()).map((text) => text.replace(/\s+/g, ' ').trim());
  assert.equal(rows.length, 1, `one certificate bound (${JSON.stringify(rows)})`);
  assert.ok(rows[0].includes(issuer), `the bound certificate is the ${issuer} one ("${rows[0]}")`);
}

scenario('Sign in with a USB token through the signing agent', 'usb-token', async (run, env) => {
  const { page } = run;
  env.pki = env.pki || await sandboxCertificates(env.base);

  const violations = [];
  const pinsSent = [];
  if (run.js) {
    await page.exposeFunction('reportViolation', (text) => violations.push(text));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (event) => {
        window.reportViolation(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
  }

  const failedLoads = [];
  page.on('requestfailed', (request) => failedLoads.push(request.url()));

  // a. No agent on this computer.
  await run.open(USB_TOKEN);
  await expectUsbTokenTab(run);
  if (!run.js) {
    assert.equal(await steps.text(page.locator('[data-agent-status]')), run.t('agent-needs-script'));
    assert.equal(await page.locator('[data-agent-start]').isVisible(), false);
    await run.screen('usb-token-no-script');
    return;
  }
  await expectAgentMissing(run);
  await run.screen('usb-token-no-agent');
  await run.go(page.locator('[data-agent-missing] a[href="/help/signing-agent"]'));
  await run.expectHeading('help-agent-title');
  assert.equal(await steps.text(page.locator('main p.lead')), run.t('help-agent-lead'));
  assert.ok((await steps.text(page.locator('main ol'))).includes(run.t('help-agent-step-run', { origin: env.base })),
    'the guide shows the command with this portal\'s address');
  await run.screen('help-signing-agent');
  await run.go(page.locator('main a[href="/login/method/usb-token"]'));
  await expectUsbTokenTab(run);
  await expectAgentMissing(run);
  // Chromium logs each refused connection as a console error: the page's look for the agent,
  // failing as it should here, and nothing else.
  const refused = 'console: Failed to load resource: net::ERR_CONNECTION_REFUSED';
  assert.ok(failedLoads.length > 0 && failedLoads.every((url) => url === `http://127.0.0.1:${DEMO_AGENT_PORT}/status`),
    `only the look for the agent failed (${JSON.stringify(failedLoads)})`);
  assert.equal(run.scriptErrors.filter((error) => error === refused).length, failedLoads.length);
  run.scriptErrors = run.scriptErrors.filter((error) => error !== refused);

  // Whatever the portal's own pages receive, the PIN is never in it.
  run.context.on('request', (request) => {
    if (new URL(request.url()).origin === env.base && (request.postData() || '').includes(PIN)) {
      pinsSent.push(request.url());
    }
  });

  // b. The agent runs, with the person's token: two certificates of the same person.
  const person = ['citizen', 'citizen_second'];
  let agent = await startAgent({
    data: env.demo.data, origin: env.base, log: `${run.dir}/agent-citizen.log`,
    tokens: [{ label: 'Demo citizen', roles: person }],
  });
  try {
    await page.locator('[data-agent-retry]').click();
    await waitForStatus(run, 'agent-ready');
    assert.equal(await page.locator('[data-agent-missing]').isVisible(), false, 'the guidance is gone');
    await run.screen('usb-token-agent-ready');

    if (!env.usbTokenRegistered) {
      await registerWithToken(run, env, agent, { roles: person, choose: 'citizen_second', email: 'hong.huynh@example.com' });
      env.usbTokenRegistered = true;
      await run.go(page.locator(`main a[href="${USB_TOKEN}"]`));
    } else {
      await run.open(USB_TOKEN);
    }
    await expectUsbTokenTab(run);
    await waitForStatus(run, 'agent-ready');
    await signWithToken(run, env, agent, { roles: person, choose: 'citizen_second', wrongPin: '000000' });
    await expectCertificateAccount(run, env, 'citizen_second', 'Viettel-CA');
    await run.screen('usb-token-account');
    await steps.signOut(run);

    // The person's other certificate: another key, which nobody bound.
    await run.open(USB_TOKEN);
    await expectUsbTokenTab(run);
    await waitForStatus(run, 'agent-ready');
    await signWithToken(run, env, agent, { roles: person, choose: 'citizen' });
    await expectNotBound(run);
    await run.screen('usb-token-not-bound');

    // A relying service that asks for LoA3: the USB-token tab is the one offered.
    const state = `loa3-${run.lang}-${run.width}`;
    const request = authorizeRequest(env.base, {
      ui_locales: run.lang, acr_values: 'LoA3', prompt: 'login', state,
    });
    await page.goto(request.url);
    await expectUsbTokenTab(run);
    assert.equal(await steps.text(page.locator('.for-service')),
      run.t('flow-for-service', { service: 'Dịch vụ công mẫu (demo)' }),
      'the sign-in page names the service the person is signing in to');
    await waitForStatus(run, 'agent-ready');
    await run.screen('rp-usb-token');
    await signWithToken(run, env, agent, { roles: person, choose: 'citizen_second' });
    const back = received(run, env.base);
    assert.equal(back.get('error'), null, `no error (${back.get('error_description')})`);
    assert.match(back.get('code') || '', /^[A-Za-z0-9_-]{20,}$/, 'a code came back');
    assert.equal(back.get('state'), state);
    assert.equal(back.get('iss'), env.base);
    const claims = await idTokenClaims(env.demo, back.get('code'), request.verifier);
    assert.equal(claims.acr, 'LoA3', 'signed in at LoA3');
    assert.ok(Array.isArray(claims.amr) && claims.amr.includes('hwk') && claims.amr.includes('pin'),
      `amr says a hardware key and its PIN (${JSON.stringify(claims.amr)})`);
  } finally {
    await agent.stop();
  }

  // c. Another token, whose certificate was revoked.
  agent = await startAgent({
    data: env.demo.data, origin: env.base, log: `${run.dir}/agent-revoked.log`,
    tokens: [{ label: 'Demo revoked', roles: ['citizen_revoked'] }],
  });
  try {
    await run.open(USB_TOKEN);
    await expectUsbTokenTab(run);
    await waitForStatus(run, 'agent-ready');
    await signWithToken(run, env, agent, { roles: ['citizen_revoked'], choose: 'citizen_revoked' });
    await expectUsbTokenTab(run);
    await expectRefusal(run, run.t('problem-pki-revoked'),
      revokedOn(run.lang, env.pki.get('citizen_revoked').revocation.at));
    await run.screen('usb-token-revoked');
  } finally {
    await agent.stop();
  }

  assert.deepEqual(pinsSent, [], 'the PIN reached the portal');
  assert.deepEqual(violations, [], 'CSP violations');
}, {
  variants: [
    { lang: 'vi', width: 360 },
    { lang: 'vi', width: 1280 },
    { lang: 'en', width: 360 },
    { lang: 'en', width: 1280, enforceCsp: true },
    { lang: 'vi', width: 360, js: false },
  ],
});
