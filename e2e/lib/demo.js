'use strict';
// Starts a real `dvcid demo` for one test file: a fresh data folder, a port the system picks
// (the demo is told 127.0.0.1:0 and prints the address it got), OTP resends allowed after
// 2 s, ready once /readyz answers 200; stopped and its folder removed at the end. Also
// returns, from the banner, the address of the sandbox's SMTP receiver and the secret of the
// demo's OpenID Connect client `dvc-demo`, and the data folder (where the demo writes its
// sandbox certificates and keys, `sandbox-pki/`).

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { RESULTS } = require('./paths');

const REPO = path.resolve(__dirname, '../..');

function binary() {
  const bin = path.resolve(process.env.DVCID_BIN || path.join(REPO, 'target/debug/dvcid'));
  if (!fs.existsSync(bin)) {
    throw new Error(`no dvcid binary at ${bin}: run e2e/run.sh, or build it (cargo build -p dvcid) and set DVCID_BIN`);
  }
  return bin;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * @param {string} name  names the log file, test-results/<name>-demo.log
 * @returns {Promise<{base: string, smtp: string|null, clientSecret: string|null, data: string,
 *   stop: () => Promise<void>, legacy: object[], vneid: string|null}>}
 */
async function startDemo(name, { resendAfter = 2, people = 1000 } = {}) {
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'dvcid-e2e-'));
  fs.mkdirSync(RESULTS, { recursive: true });
  const log = fs.createWriteStream(path.join(RESULTS, `${name}-demo.log`));
  const child = spawn(
    binary(),
    ['demo', '--data', data, '--listen', '127.0.0.1:0', '--people', String(people),
      '--otp-resend-after', String(resendAfter)],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  let output = '';
  let exited = null;
  child.on('exit', (code, signal) => {
    exited = signal || `exit ${code}`;
  });
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk) => {
      output += chunk;
      log.write(chunk);
    });
  }

  const stop = async () => {
    if (exited === null) {
      child.kill('SIGTERM');
      for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
      if (exited === null) child.kill('SIGKILL');
    }
    log.end();
    fs.rmSync(data, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + 30_000;
    let base = null;
    while (Date.now() < deadline) {
      if (exited !== null) throw new Error(`dvcid demo stopped (${exited}):\n${output}`);
      base = base || (/http:\/\/127\.0\.0\.1:(\d+)\//.exec(output) || [])[0];
      if (base) {
        const ready = await fetch(new URL('/readyz', base)).then((r) => r.ok, () => false);
        if (ready) {
          // The sandbox's SMTP receiver, as the banner names it ("SMTP (sandbox): 127.0.0.1:…").
          const smtp = (/SMTP[^\n]*?(127\.0\.0\.1:\d+)/.exec(output) || [])[1] || null;
          // The demo client's secret ("    client_secret:      …").
          const clientSecret = (/^\s*client_secret:\s*(\S+)\s*$/m.exec(output) || [])[1] || null;
          return { base: base.replace(/\/$/, ''), smtp, clientSecret, data, stop, banner: output, legacy: legacyAccounts(output),
            vneid: ((/national eID\): (http:\/\/127\.0\.0\.1:\d+)\//.exec(output)) || [])[1] || null };
        }
      }
      await sleep(100);
    }
    throw new Error(`dvcid demo not ready after 30 s:\n${output}`);
  } catch (error) {
    await stop();
    throw error;
  }
}

/**
 * The accounts of the old 9-digit card the demo brought over, as its banner lists them
 * ("mật khẩu / password P:" then "    CMND c  CCCD p  OTP n  Name" lines).
 * @returns {{cmnd: string, personalId: string, phoneNational: string, phone: string,
 *   fullName: string, password: string}[]}
 */
function legacyAccounts(output) {
  const password = (/legacy accounts \(L2\), mật khẩu \/ password (\S+):/.exec(output) || [])[1];
  const lines = [...output.matchAll(/^\s+CMND (\d{9})\s+CCCD (\d{12})\s+OTP (\d{10})\s+(.+)$/mg)];
  return lines.map(([, cmnd, personalId, phoneNational, fullName]) => ({
    cmnd, personalId, phoneNational, phone: `+84${phoneNational.slice(1)}`, fullName: fullName.trim(), password,
  }));
}

module.exports = { startDemo };
