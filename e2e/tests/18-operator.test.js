'use strict';
// Scenario 18 (issue 12, operators): the demo's operator — every role, bound to the sandbox's
// operator PKI SIM — opens /operator, is sent to sign in at LoA3 and signs with the SIM on
// its phone (the sandbox's phone simulator, PIN 1234); back on the console they search a
// citizen by phone (a phone may serve several accounts: the results list them), open the
// account's record, lock it, and see the lock in its history with themselves as the actor.
// The citizen's phone is told. Vietnamese and English, on a 360-px phone.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');
const { registerByApi, sandboxCertificates } = require('../lib/sandbox');
const steps = require('../lib/steps');
const signing = require('../lib/signing');

const PASSWORD = 'Mây-trắng-2026!';
const SIM_PIN = '1234';

async function fitsWidth(run) {
  const width = await run.page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= run.width, `the page is ${width} px wide on a ${run.width}-px screen (${run.page.url()})`);
}

/** The operator's SIM as /sandbox/pki.json lists it. */
function operatorSim(env) {
  const certificate = env.pki.get('sim_operator');
  assert.ok(certificate, 'the sandbox issues the operator SIM');
  const msisdn = certificate.msisdn.replace(/^\+/, '');
  return { msisdn, national: `0${msisdn.slice(2)}`, holder: certificate.holder };
}

/** From /operator, not signed in: the sign-in at LoA3, on the SIM tab, signed on the phone. */
async function signInWithSim(run, sim) {
  const { page } = run;
  await page.goto('/operator');
  await run.expectHeading('action-sign-in');
  const tabs = (await page.locator('.tabs li').allInnerTexts()).map((tab) => tab.trim());
  assert.ok(!tabs.includes(run.t('login-tab-password-sms')), `no method below LoA3 is offered (${JSON.stringify(tabs)})`);
  const simTab = page.locator('.tabs button[value="sim_pki"]');
  if (await simTab.getAttribute('aria-current') !== 'page') await run.go(simTab);
  await page.locator('#f-phone').fill(sim.national);
  await run.go(run.button('action-continue'));
  const code = await signing.expectWaiting(run, 'action-sign-in');
  const phone = await run.context.newPage();
  await phone.goto(`/sandbox/phone/${sim.msisdn}`);
  const request = phone.locator('section.phone');
  await request.waitFor();
  assert.equal(await steps.text(request.locator('.code')), code, 'the phone shows the page\'s code');
  await phone.locator('input[name="pin"]').fill(SIM_PIN);
  await Promise.all([
    phone.waitForNavigation({ waitUntil: 'load' }),
    phone.locator('button[name="action"][value="sign"]').click(),
  ]);
  await phone.close();
  await signing.untilAnswered(run, (url) => url.pathname === '/operator');
  // The LoA3 sign-in page offers the USB token too, whose page looks for a local agent.
  signing.forgiveAgentLookups(run);
}

scenario('An operator signs in with a PKI SIM, finds a citizen by phone and locks the account', 'operator', async (run, env) => {
  const { page } = run;
  env.pki = env.pki || await sandboxCertificates(env.base);
  const sim = operatorSim(env);
  const citizen = env.people.owner();
  await registerByApi(env.base, citizen, PASSWORD);
  // The browser asks for the other language: the run switches on the home page first.
  await run.open('/');

  await signInWithSim(run, sim);
  await run.expectHeading('operator-title');
  assert.ok((await steps.text(page.locator('main p.lead'))).startsWith(sim.holder.full_name), 'the console names the operator');
  await fitsWidth(run);
  await run.screen('console');

  // Search by phone: every account the phone serves.
  await page.locator('#f-by-phone').check();
  await page.locator('#f-q').fill(citizen.phoneNational);
  await run.go(run.button('operator-search'));
  await run.expectHeading('operator-title');
  const results = page.locator('ul.results li');
  assert.equal(await results.count(), 1, 'one account has this phone');
  await fitsWidth(run);
  await run.screen('results');
  await run.go(results.getByRole('link', { name: citizen.full_name, exact: true }));

  await run.expectHeading('operator-account-title');
  await fitsWidth(run);
  const seen = await env.outbox.count(citizen.phone);
  await run.go(run.button('operator-lock'));
  await run.expectHeading('operator-account-title');
  const notice = await steps.text(page.locator('main .notice-success'));
  assert.ok(notice.endsWith(run.t('operator-done-locked')), `the page says it is done (${notice})`);
  assert.equal(await run.button('operator-unlock').count(), 1, 'a locked account can be unlocked');
  const history = page.locator('section[aria-labelledby="history"] tbody tr');
  const newest = await steps.text(history.first());
  assert.ok(newest.includes(run.t('audit-account-viewed-by-operator')), `the read is audited first (${newest})`);
  const lock = await steps.text(history.nth(1));
  assert.ok(lock.includes(run.t('audit-status-changed')), `the lock is in the history (${lock})`);
  assert.ok(lock.includes(run.t('operator-actor-operator', { name: sim.holder.personal_id })), `by the operator (${lock})`);
  assert.equal(await env.outbox.count(citizen.phone), seen + 1, 'the citizen is told by SMS');
  await fitsWidth(run);
  await run.screen('locked');
}, {
  variants: [
    { lang: 'vi', width: 360 },
    { lang: 'en', width: 360 },
  ],
});
