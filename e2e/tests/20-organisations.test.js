'use strict';
// Scenario 18: acting for a business (SPEC A1, the Corppass model). The demo's business has its
// legal representative as administrator: they sign in as themself (the chooser asks in what
// capacity), invite a person by personal ID as submitter → the invitee's phone gets the link →
// the invitee opens it, signs in as themself and accepts → the demo's relying service asks for
// a sign-in with `dvc` → the chooser comes before returning to it → "on behalf of" the business
// → the service's ID token names the business, the role, and the person as the subject.

const assert = require('node:assert/strict');
const { scenario, VARIANTS } = require('../lib/scenario');
const { authorizeRequest, received, idTokenClaims } = require('../lib/oidc');
const steps = require('../lib/steps');

/** The demo's organisations as its banner prints them. */
function organisations(output) {
  // The organisations' lines, after the USB tokens' (which name a business too).
  const banner = output.slice(output.indexOf('Tổ chức / organisations'));
  const password = (/organisations \(sandbox\), mật khẩu \/ password (\S+):/.exec(banner) || [])[1];
  const [, name, taxCode] = /business: (.+) \(MST (\S+)\)/.exec(banner) || [];
  const person = ([, personalId, national, fullName]) => ({
    personal_id: personalId, phoneNational: national, phone: `+84${national.slice(1)}`, full_name: fullName.trim(),
  });
  const representative = /legal representative, administrator: CCCD (\d{12})\s+OTP (\d{10})\s+(.+)$/m.exec(banner);
  const invitees = [...banner.matchAll(/^ {6}CCCD (\d{12})\s+OTP (\d{10})\s+(.+)$/mg)].map(person);
  assert.ok(password && taxCode && representative && invitees.length >= 2, 'the banner lists the demo organisations');
  return { password, business: { name, taxCode }, representative: person(representative), invitees };
}

/** Password and SMS OTP on the sign-in page the browser is on. */
async function signInHere(run, env, person, password) {
  await run.expectHeading('action-sign-in');
  const seen = await env.outbox.count(person.phone);
  await steps.submitCredentials(run, person, password);
  await steps.expectOtpStep(run, person.phoneNational);
  await steps.submitOtp(run, await env.outbox.otpAfter(person.phone, seen));
}

/** The text of the first SMS `phone` receives after it had `seen`. */
async function smsAfter(env, phone, seen) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const messages = await env.outbox.messages(phone);
    if (messages.length > seen) return messages[messages.length - seen - 1].text;
    assert.ok(Date.now() < deadline, `no new SMS to ${phone}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function chooseAs(run, label) {
  await run.expectHeading('acting-title');
  await run.page.getByLabel(label, { exact: true }).check();
  await run.go(run.button('acting-continue'));
}

const PHONES = VARIANTS.filter((variant) => variant.width === 360);

scenario('A member invited by the legal representative acts for the business at a service', 'organisations', async (run, env) => {
  const { page } = run;
  const demo = organisations(env.demo.banner);
  const admin = demo.representative;
  const invitee = demo.invitees[PHONES.findIndex((variant) => variant.lang === run.lang)];

  // The representative signs in as themself; members are asked in what capacity.
  await run.open('/login');
  await signInHere(run, env, admin, demo.password);
  await run.screen('acting-for-chooser');
  await chooseAs(run, run.t('acting-self'));
  assert.equal(run.path(), '/account');

  await run.open('/account/organisations');
  await run.expectHeading('org-title');
  await run.go(page.getByRole('link', { name: demo.business.name }));
  assert.equal(await run.heading(), demo.business.name);
  const seen = await env.outbox.count(invitee.phone);
  await page.locator('#f-personal_id').fill(invitee.personal_id);
  await page.locator('#f-role-submitter').check();
  await run.go(run.button('org-invite'));
  await run.screen('invited');
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
    'the invitation\'s link wraps: nothing scrolls sideways');
  const sms = await smsAfter(env, invitee.phone, seen);
  const link = (/(http:\/\/\S+\/account\/organisations\/accept\/[A-Za-z0-9_-]+)/.exec(sms) || [])[1];
  assert.ok(link, `the invitee's SMS carries the link: ${sms}`);
  assert.ok((await steps.text(page.locator('.notice'))).includes(link), 'the inviter sees the same link');
  await run.go(page.locator('header').getByRole('button', { name: run.t('action-sign-out'), exact: true }));

  // The invitee opens the link, signs in as themself, and accepts.
  await page.goto(link);
  await signInHere(run, env, invitee, demo.password);
  await run.expectHeading('org-invitation-title');
  await run.screen('invitation');
  await run.go(run.button('org-accept'));
  assert.equal(run.path(), '/account/organisations');
  assert.ok((await steps.text(page.locator('.notice'))).endsWith(run.t('org-done-accepted')));

  // At the relying service: the chooser first, then back with a code.
  const request = authorizeRequest(env.base, { scope: 'openid profile dvc', ui_locales: run.lang, state: 'org' });
  await page.goto(request.url);
  const onBehalf = run.t('acting-organisation', {
    name: demo.business.name, code: demo.business.taxCode, role: run.t('org-role-submitter'),
  });
  await chooseAs(run, onBehalf);
  const back = received(run, env.base);
  assert.equal(back.get('state'), 'org');
  const claims = await idTokenClaims(env.demo, back.get('code'), request.verifier);
  assert.equal(claims.dvc_org_tax_code, demo.business.taxCode, 'the service learns the business');
  assert.equal(claims.dvc_org_name, demo.business.name);
  assert.equal(claims.dvc_org_role, 'submitter');
  assert.equal(claims.acr, 'LoA2', 'signed in as before');
}, { variants: PHONES });
