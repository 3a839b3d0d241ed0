'use strict';
// The demo's OpenID Connect client `dvc-demo` as a relying service uses it: an /authorize
// address with a PKCE challenge of its own, what its redirect URI (the sandbox's
// /sandbox/rp/callback) received, and the code exchanged at /token with the client's secret
// (read from the demo's banner) for an id_token whose claims a test can check.

const assert = require('node:assert/strict');
const crypto = require('node:crypto');

const CLIENT_ID = 'dvc-demo';

const redirectUri = (base) => `${base}/sandbox/rp/callback`;

/**
 * An /authorize request of the demo client with a fresh PKCE verifier: `url` to open, and
 * `verifier` to send to /token with the code.
 */
function authorizeRequest(base, extra) {
  const verifier = crypto.randomBytes(32).toString('base64url');
  const challenge = crypto.createHash('sha256').update(verifier).digest('base64url');
  const url = new URL('/authorize', base);
  const params = {
    response_type: 'code',
    client_id: CLIENT_ID,
    redirect_uri: redirectUri(base),
    scope: 'openid profile',
    nonce: crypto.randomBytes(8).toString('hex'),
    code_challenge: challenge,
    code_challenge_method: 'S256',
    ...extra,
  };
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return { url: url.toString(), verifier };
}

/** An /authorize address of the demo client, with a fresh PKCE challenge. */
function authorizeUrl(base, extra) {
  return authorizeRequest(base, extra).url;
}

/** The parameters the relying service's redirect URI received. */
function received(run, base) {
  const url = new URL(run.page.url());
  assert.equal(`${url.origin}${url.pathname}`, redirectUri(base), 'back at the service');
  return url.searchParams;
}

/**
 * Exchanges `code` at /token as the demo client (HTTP basic with the secret from the demo's
 * banner) and returns the claims of the id_token it gets (the payload, not verified: the
 * test checks what the portal says, not the signature).
 */
async function idTokenClaims(demo, code, verifier) {
  assert.ok(demo.clientSecret, 'the demo\'s banner names the client secret');
  const response = await fetch(new URL('/token', demo.base), {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${CLIENT_ID}:${demo.clientSecret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: redirectUri(demo.base), code_verifier: verifier,
    }),
  });
  const body = await response.text();
  assert.equal(response.status, 200, `/token answered ${response.status}: ${body}`);
  const { id_token: idToken } = JSON.parse(body);
  const parts = (idToken || '').split('.');
  assert.equal(parts.length, 3, 'an id_token (a JWS in compact form)');
  return JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
}

module.exports = { CLIENT_ID, authorizeRequest, authorizeUrl, received, idTokenClaims };
