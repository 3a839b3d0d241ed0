'use strict';
// The sandbox's SMS and e-mail outboxes, with messages in them, under the site's real
// Content-Security-Policy: styled by their own stylesheet (no inline styles, no CSP
// violation), and on a 360 px phone without horizontal scrolling.

const assert = require('node:assert/strict');
const net = require('node:net');
const { scenario } = require('../lib/scenario');
const { registerByApi } = require('../lib/sandbox');

const PASSWORD = 'mây trắng bay qua đồi';

/** Sends one plain-text message to the sandbox's SMTP receiver at `address` (host:port). */
function sendMail(address, { from, to, subject, text }) {
  const [host, port] = address.split(':');
  const commands = [
    'EHLO e2e.test', `MAIL FROM:<${from}>`, `RCPT TO:<${to}>`, 'DATA',
    [
      `From: <${from}>`, `To: <${to}>`, `Subject: =?UTF-8?B?${Buffer.from(subject).toString('base64')}?=`,
      'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit',
      '', text, '.',
    ].join('\r\n'),
    'QUIT',
  ];
  return new Promise((resolve, reject) => {
    const socket = net.connect(Number(port), host);
    let buffer = '';
    socket.setEncoding('utf8');
    socket.setTimeout(10_000, () => socket.destroy(new Error('SMTP timed out')));
    socket.on('error', reject);
    socket.on('close', () => (commands.length === 0 ? resolve() : reject(new Error(`SMTP closed: ${buffer}`))));
    socket.on('data', (chunk) => {
      buffer += chunk;
      // A reply is complete at a line "NNN text" (not "NNN-text", which continues).
      const lines = buffer.split('\r\n');
      const last = lines.slice(0, -1).reverse().find((line) => /^\d{3}[ -]/.test(line));
      if (!last || last[3] !== ' ') return;
      buffer = '';
      if (!/^[23]/.test(last)) {
        socket.destroy(new Error(`SMTP refused: ${last}`));
        return;
      }
      const next = commands.shift();
      if (next !== undefined) socket.write(`${next}\r\n`);
    });
  });
}

async function expectNoHorizontalScroll(run, what) {
  const { scroll, viewport } = await run.page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  }));
  assert.ok(scroll <= viewport, `${what}: the page is ${scroll} px wide in a ${viewport} px window`);
}

scenario('The sandbox\'s outbox pages', 'sandbox-pages', async (run, env) => {
  const { page } = run;
  const violations = [];
  await page.exposeFunction('reportViolation', (text) => violations.push(text));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (event) => {
      window.reportViolation(`${event.violatedDirective} ${event.blockedURI}`);
    });
  });

  // An OTP text, and an e-mail with a long subject, a long address and a long link.
  const person = env.people.owner();
  await registerByApi(env.base, person, PASSWORD);
  assert.ok(env.demo.smtp, 'the demo names its SMTP receiver');
  const to = `nguyen.van.a.rat.dai.de.thu.xuong.dong.${person.personal_id}@thu-nghiem.dichvucong.example.vn`;
  await sendMail(env.demo.smtp, {
    from: 'no-reply@dichvucong.example.vn',
    to,
    subject: 'Xác nhận địa chỉ thư điện tử cho tài khoản Cổng Dịch vụ công quốc gia của bạn',
    text: `Mở liên kết sau để xác nhận: ${env.base}/xac-nhan?token=${'a1b2c3d4'.repeat(12)}\r\nTrân trọng.`,
  });

  await page.goto(`/sandbox/sms/page?to=${person.phoneNational}`);
  assert.equal(await page.locator('tbody tr').count(), 1, 'the OTP text is listed');
  const styles = await page.evaluate(() => [...document.styleSheets].map((sheet) => sheet.href));
  assert.deepEqual(styles, [`${env.base}/sandbox/sandbox.css`], 'one stylesheet, served by the sandbox');
  assert.equal(await page.locator('[style], style').count(), 0, 'no inline styles');
  await expectNoHorizontalScroll(run, 'SMS outbox');
  await run.screen('sms-outbox');

  await page.goto(`/sandbox/email/page?to=${encodeURIComponent(to)}`);
  assert.equal(await page.locator('tbody tr').count(), 1, 'the e-mail is listed');
  assert.equal(await page.locator('[style], style').count(), 0, 'no inline styles');
  await expectNoHorizontalScroll(run, 'e-mail outbox');
  await run.screen('email-outbox');

  assert.deepEqual(violations, [], 'CSP violations');
}, {
  variants: [{ lang: 'vi', width: 360, enforceCsp: true }, { lang: 'en', width: 1280, enforceCsp: true }],
});
