'use strict';
// Scenario 17 (V1–V3, S9, seed 002 and 004 step 4): the police approve an e-ID application
// (VNeID's sandbox console) → the applicant gets the approval SMS → activates the account at
// VNeID (ID + phone → SMS code → password → passcode → two security questions) → on the
// portal, on the way to a page that needs signing in, chooses "VNeID" → signs in at VNeID
// (password, then the passcode on this new device) → is back on that page, signed in as
// themself, the account made from VNeID's claims.

const assert = require('node:assert/strict');
const { scenario } = require('../lib/scenario');

const TARGET = '/account';
const PASSWORD = 'Kich-Hoat@2024';
const PASSCODE = '802613';

async function fitsWidth(run, page = run.page) {
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= run.width, `the page is ${width} px wide on a ${run.width}-px screen (${page.url()})`);
}

/** Submits the form whose action is `action` on the page shown, and waits for the next page. */
async function submit(run, action) {
  await run.go(run.page.locator(`form[action="${action}"] button[type="submit"]`).first());
}

/** ASCII as the approval SMS writes names: no tone marks, đ as d. */
function ascii(text) {
  return text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/đ/g, 'd').replace(/Đ/g, 'D');
}

scenario('Activate a VNeID account, then sign in to the portal with VNeID', 'vneid', async (run, env) => {
  const { page } = run;
  const vneid = env.demo.vneid;
  assert.ok(vneid, 'the demo runs VNeID');
  const person = env.people.owner((p) => !env.demo.banner.includes(p.personal_id));

  // 1. The police console: a level-2 application, approved; the approval SMS goes out.
  await page.goto(`${vneid}/sandbox/police`);
  await page.locator('#personal_id').fill(person.personal_id);
  await page.locator('#full_name').fill(person.full_name);
  await page.locator('#birth_date').fill(person.birth_date);
  await page.locator('#phone').fill(person.phoneNational);
  await page.locator('#level').selectOption('2');
  await submit(run, '/sandbox/police/applications');
  const row = page.locator('tr', { hasText: person.personal_id });
  const seen = await env.outbox.count(person.phone);
  await run.go(row.locator('form[action="/sandbox/police/approve"] button'));
  const texts = await env.outbox.messages(person.phone);
  assert.equal(texts.length, seen + 1, 'the approval SMS went out');
  assert.equal(texts[0].text,
    `Cuc Canh sat QLHC ve TTXH thong bao: Ho so dang ky tai khoan dinh danh dien tu cua cong dan ${ascii(person.full_name)} da duoc phe duyet. De nghi truy cap ung dung VNeID hoac dia chi ${vneid} de kich hoat tai khoan.`);

  // 2. Activation at VNeID, from its intro page.
  await page.goto(`${vneid}/`);
  await run.go(page.locator('a[href="/activate"]').first());
  await page.locator('#personal_id').fill(person.personal_id);
  await page.locator('#phone').fill(person.phoneNational);
  const before = await env.outbox.count(person.phone);
  await submit(run, '/activate');
  await fitsWidth(run);
  await run.screen('vneid-otp');
  await page.locator('#code').fill(await env.outbox.otpAfter(person.phone, before));
  await submit(run, '/activate/otp');
  await page.locator('#password').fill(PASSWORD);
  await page.locator('#confirmation').fill(PASSWORD);
  await submit(run, '/activate/password');
  await page.locator('#passcode').fill('123456');
  await page.locator('#passcode_confirmation').fill('123456');
  await submit(run, '/activate/passcode');
  assert.equal(await page.locator('#error').count(), 1, 'a 123456-like passcode is refused');
  await page.locator('#passcode').fill(PASSCODE);
  await page.locator('#passcode_confirmation').fill(PASSCODE);
  await submit(run, '/activate/passcode');
  await page.locator('#answer1').fill('Trường Kim Đồng');
  await page.locator('#answer2').fill('Phường 5');
  await fitsWidth(run);
  await run.screen('vneid-questions');
  await submit(run, '/activate/questions');
  assert.equal(await page.locator('#error').count(), 0, 'activated');
  await run.screen('vneid-activated');

  // 3. The portal: a page that needs signing in → the sign-in → the VNeID tab.
  await run.open(TARGET);
  await run.expectHeading('action-sign-in');
  await run.go(page.locator('.tabs button', { hasText: run.t('login-tab-vneid') }));
  assert.ok(page.url().startsWith(`${vneid}/`), `out to VNeID: ${page.url()}`);
  await fitsWidth(run);
  await run.screen('vneid-sign-in');
  await page.locator('#personal_id').fill(person.personal_id);
  await page.locator('#password').fill(PASSWORD);
  await submit(run, '/login');
  await page.locator('#passcode').fill(PASSCODE);
  await submit(run, '/login/passcode');

  // 4. Back where they were going, signed in as themself.
  assert.equal(run.path(), TARGET, `back on the target page: ${page.url()}`);
  await run.expectHeading('account-title');
  const pairs = await page.locator('dl.facts').locator('dt, dd').allInnerTexts();
  const fact = (key) => pairs[pairs.indexOf(run.t(key)) + 1];
  assert.equal(fact('field-full-name'), person.full_name);
  assert.equal(fact('field-personal-id'), person.personal_id);
  assert.equal(await page.locator('section[aria-labelledby="vneid"]').count(), 1, 'the VNeID link is listed');
  await fitsWidth(run);
  await run.screen('portal-signed-in');
}, {
  variants: [{ lang: 'vi', width: 360 }, { lang: 'en', width: 360 }],
  timeout: 180_000,
});
