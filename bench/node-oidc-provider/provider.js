// node-oidc-provider (npm `oidc-provider`, the OpenID Foundation certified reference) set up
// as the comparison for dvcid's token endpoint in bench/tokens.sh: a durable PostgreSQL store
// (pg_adapter.js), one confidential client with client_secret_basic, JWT access tokens
// (RFC 9068) through a default resource indicator, refresh tokens rotated on every use, and an
// interaction that signs the login_hint in at once (no pages: the benchmark measures tokens).
//
// Settings (environment):
//   PORT=18493  DATABASE_URL=postgres://…  POOL_SIZE=16  PG_SSL=0|1  ALG=ES256|RS256
//   CLIENT_ID  CLIENT_SECRET  REDIRECT_URI   (the one client, registered at start)
//   ACCESS_TOKEN_FORMAT=jwt|opaque            (opaque: stored, one more durable write per grant)

import crypto from 'node:crypto';

import Provider from 'oidc-provider';

import { PostgresAdapter, close, connect } from './pg_adapter.js';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) {
    console.error(`provider.js: set ${name}`);
    process.exit(2);
  }
  return value;
};

const port = Number(env('PORT', '18493'));
const alg = env('ALG', 'ES256');
const format = env('ACCESS_TOKEN_FORMAT', 'jwt');
const issuer = `http://127.0.0.1:${port}`;
const resource = 'urn:dvcid-bench:api';
const ttl = { access: 300, idToken: 600, refresh: 8 * 3600, code: 60 };

if (!['ES256', 'RS256'].includes(alg)) throw new Error(`ALG must be ES256 or RS256, not ${alg}`);
if (!['jwt', 'opaque'].includes(format)) throw new Error('ACCESS_TOKEN_FORMAT: jwt or opaque');

// Signing keys: one per algorithm, made at start (dvcid makes its own at start too). The first
// key of the configured algorithm signs.
function signingKey(kind) {
  const { privateKey } = kind === 'ES256'
    ? crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' })
    : crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: kind.toLowerCase(), alg: kind, use: 'sig' };
}

await connect(env('DATABASE_URL'), Number(env('POOL_SIZE', '16')), env('PG_SSL', '0') === '1');

const provider = new Provider(issuer, {
  adapter: PostgresAdapter,
  clients: [{
    client_id: env('CLIENT_ID'),
    client_secret: env('CLIENT_SECRET'),
    redirect_uris: [env('REDIRECT_URI')],
    grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: alg,
    scope: 'openid profile api',
  }],
  jwks: { keys: [signingKey(alg), signingKey(alg === 'ES256' ? 'RS256' : 'ES256')] },
  cookies: { keys: [crypto.randomBytes(32).toString('base64url')] },
  claims: { openid: ['sub'], profile: ['name'] },
  scopes: ['openid', 'profile', 'api'],
  pkce: { required: () => true },
  // Every use of a refresh token issues the next one and consumes the old (reuse of a consumed
  // one revokes the grant), as dvcid does; the default rotates only late in the lifetime.
  rotateRefreshToken: () => true,
  // A refresh token for every code exchange of a client allowed the grant (dvcid issues one
  // without offline_access); it stays bound to the session, checked on every refresh.
  issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
  ttl: {
    AccessToken: ttl.access,
    ClientCredentials: ttl.access,
    IdToken: ttl.idToken,
    RefreshToken: ttl.refresh,
    AuthorizationCode: ttl.code,
    Grant: ttl.refresh,
    Session: ttl.refresh,
    Interaction: 600,
  },
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    // Access tokens for one resource server, as JWTs (RFC 9068) signed with ALG; without a
    // resource server node-oidc-provider issues opaque, stored access tokens.
    resourceIndicators: {
      enabled: true,
      defaultResource: async () => resource,
      useGrantedResource: async () => true,
      getResourceServerInfo: async () => ({
        scope: 'api',
        audience: resource,
        accessTokenTTL: ttl.access,
        accessTokenFormat: format,
        ...(format === 'jwt' ? { jwt: { sign: { alg } } } : {}),
      }),
    },
  },
  findAccount: async (_ctx, sub) => ({
    accountId: sub,
    claims: async () => ({ sub, name: `Bench ${sub}` }),
  }),
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
});

// The interaction: the account named by login_hint signs in and consents at once; the grant
// holds the OpenID scopes and the resource's scope.
provider.use(async (ctx, next) => {
  const match = /^\/interaction\/([\w-]+)$/.exec(ctx.path);
  if (!match || ctx.method !== 'GET') return next();
  const details = await provider.interactionDetails(ctx.req, ctx.res);
  const accountId = details.params.login_hint || 'bench-user';
  const grant = new provider.Grant({ accountId, clientId: details.params.client_id });
  grant.addOIDCScope('openid profile');
  grant.addResourceScope(resource, 'api');
  const grantId = await grant.save();
  const result = { login: { accountId }, consent: { grantId } };
  const returnTo = await provider.interactionResult(ctx.req, ctx.res, result);
  ctx.status = 303;
  ctx.redirect(returnTo);
  return undefined;
});

provider.on('server_error', (_ctx, error) => console.error('server_error', error));

const server = provider.listen(port, '127.0.0.1', () => {
  console.log(JSON.stringify({ listening: issuer, alg, access_token_format: format, pid: process.pid }));
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => close().then(() => process.exit(0))));
}
