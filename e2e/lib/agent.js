'use strict';
// A real `dvcid-agent` (the local signing agent) for the USB-token tests: a SoftHSM2 token
// folder of its own (its own softhsm2.conf in a temporary folder), tokens made by
// `dvcid-agent import` from the demo's sandbox certificates and keys
// (<data>/sandbox-pki/{certificates/<role>.pem, keys/<role>.key.pem}), then
// `dvcid-agent serve` on the port the demo's pages look for, allowing the demo's origin.
// Ready once it prints "dvcid-agent listening on http://127.0.0.1:<port>"; stopped and its
// folder removed at the end.

const { execFile, spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { promisify } = require('node:util');

const REPO = path.resolve(__dirname, '../..');
const MODULE = process.env.SOFTHSM2_MODULE || '/usr/lib/softhsm/libsofthsm2.so';
/**
 * Where `dvcid demo` tells its pages the agent listens (dvcid-agent's default). The demo has
 * no option to change it, so the tests' agent takes this port, one test file at a time.
 */
const DEMO_AGENT_PORT = 14571;
/** The tokens' PINs (test tokens only). */
const PIN = '123456';
const SO_PIN = '12345678';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function binary() {
  const bin = path.resolve(process.env.DVCID_AGENT_BIN || path.join(REPO, 'target/debug/dvcid-agent'));
  if (!fs.existsSync(bin)) {
    throw new Error(`no dvcid-agent binary at ${bin}: run e2e/run.sh, or build it (cargo build -p agent) and set DVCID_AGENT_BIN`);
  }
  if (!fs.existsSync(MODULE)) {
    throw new Error(`no SoftHSM2 module at ${MODULE}: apt-get install softhsm2 (e2e/run.sh does)`);
  }
  return bin;
}

/** The agent's fingerprint of a certificate (its confirm page's radio value): SHA-256 of the DER, hex. */
function fingerprint(pem) {
  return new crypto.X509Certificate(pem).fingerprint256.replace(/:/g, '').toLowerCase();
}

/**
 * @param {object} options
 * @param {string} options.data     the demo's data folder (startDemo's `data`)
 * @param {string} options.origin   the portal origin the agent lets ask it (the demo's base)
 * @param {{label: string, roles: string[]}[]} options.tokens  tokens to make, each holding the
 *   sandbox certificates of `roles` (as /sandbox/pki.json names them) with their keys
 * @param {string} options.log      file for the agent's output
 * @param {number} [options.port]   DEMO_AGENT_PORT unless told; 0 lets the system choose
 * @returns {Promise<{url: string, port: number, pin: string,
 *   certificates: Map<string, {token: string, pem: string, fingerprint: string}>, stop: () => Promise<void>}>}
 */
async function startAgent({ data, origin, tokens, log, port = DEMO_AGENT_PORT }) {
  const bin = binary();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dvcid-agent-e2e-'));
  fs.mkdirSync(path.join(dir, 'tokens'));
  const conf = path.join(dir, 'softhsm2.conf');
  fs.writeFileSync(conf, `directories.tokendir = ${path.join(dir, 'tokens')}\nobjectstore.backend = file\nlog.level = ERROR\n`);
  const env = { ...process.env, SOFTHSM2_CONF: conf, NO_COLOR: '1', RUST_LOG: 'info' };
  const out = fs.createWriteStream(log);
  const remove = () => fs.rmSync(dir, { recursive: true, force: true });

  const certificates = new Map();
  try {
    for (const token of tokens) {
      for (const role of token.roles) {
        const cert = path.join(data, 'sandbox-pki', 'certificates', `${role}.pem`);
        const key = path.join(data, 'sandbox-pki', 'keys', `${role}.key.pem`);
        const { stdout } = await promisify(execFile)(bin, [
          'import', '--module', MODULE, '--token-label', token.label, '--pin', PIN, '--so-pin', SO_PIN,
          '--key', key, '--cert', cert,
        ], { env });
        out.write(stdout);
        const pem = fs.readFileSync(cert, 'utf8');
        certificates.set(role, { token: token.label, pem, fingerprint: fingerprint(pem) });
      }
    }
  } catch (error) {
    out.end();
    remove();
    throw error;
  }

  // Another test's agent may still be letting the port go: try again for a while.
  const deadline = Date.now() + 15_000;
  for (;;) {
    const started = await serve(bin, env, origin, port, out);
    if (started.child) {
      const stop = async () => {
        await started.stop();
        out.end();
        remove();
      };
      return { url: `http://127.0.0.1:${started.port}`, port: started.port, pin: PIN, certificates, stop };
    }
    if (!/address already in use|AddrInUse/i.test(started.output) || Date.now() > deadline) {
      out.end();
      remove();
      throw new Error(`dvcid-agent serve did not start on 127.0.0.1:${port}${
        /in use/i.test(started.output) ? ' (the port is taken: is another dvcid-agent running?)' : ''}:\n${started.output}`);
    }
    await sleep(500);
  }
}

/** Runs `dvcid-agent serve` until it prints where it listens, or until it stops. */
function serve(bin, env, origin, port, out) {
  const child = spawn(bin, [
    'serve', '--module', MODULE, '--port', String(port), '--allow-origin', origin,
  ], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let output = '';
  let exited = null;
  const stop = async () => {
    if (exited === null) {
      // Ctrl-C: the agent's graceful shutdown.
      child.kill('SIGINT');
      for (let i = 0; i < 50 && exited === null; i++) await sleep(100);
      if (exited === null) child.kill('SIGKILL');
      for (let i = 0; i < 20 && exited === null; i++) await sleep(100);
    }
  };
  return new Promise((resolve) => {
    const timer = setTimeout(async () => {
      await stop();
      resolve({ output: `${output}\n(no "listening" line within 10 s)` });
    }, 10_000);
    child.on('exit', (code, signal) => {
      exited = signal || `exit ${code}`;
      clearTimeout(timer);
      resolve({ output: `${output}\n(dvcid-agent stopped: ${exited})` });
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
      out.write(chunk);
    });
    child.stdout.on('data', (chunk) => {
      output += chunk;
      out.write(chunk);
      const listening = /dvcid-agent listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (listening) {
        clearTimeout(timer);
        resolve({ child, port: Number(listening[1]), stop, output });
      }
    });
  });
}

module.exports = { startAgent, fingerprint, DEMO_AGENT_PORT, PIN };
