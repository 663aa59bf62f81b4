// OpenID provider for oauthcli's integration tests: panva's oidc-provider on 127.0.0.1.
//
//   node tests/provider/server.mjs
//
// Environment:
//   PORT              port to listen on (default 0 = any free port)
//   ACCESS_TOKEN_TTL  access token lifetime in seconds (default 3600)
//   ROTATE_REFRESH    1 = new refresh token on every refresh (default), 0 = never
//   REQUEST_LOG       file to append one JSON line per HTTP request to (optional), with the
//                     time it came in (`at`, milliseconds since the Unix epoch)
//   DEVICE_INTERVAL   seconds: add `interval` to device authorization responses, which
//                     oidc-provider sends without one (so the RFC 8628 default of 5 s applies)
//   HOLD_CODE_EXCHANGES  N > 0: hold every code exchange (grant_type=authorization_code at
//                     /token) until N have arrived, then answer them all together, so that N
//                     logins finish at the same moment (default 0 = answer each at once)
//
// Once listening it prints exactly one line to stdout: `READY http://127.0.0.1:PORT`.
// Everything else (oidc-provider notices and warnings) goes to stderr.

import { appendFileSync } from 'node:fs';
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { createServer } from 'node:http';
import * as querystring from 'node:querystring';

// oidc-provider prints its notices with console.info; keep stdout for the READY line only.
const toStderr = (...args) => console.error(...args);
console.log = toStderr;
console.info = toStderr;
console.debug = toStderr;

function intFromEnv(name, fallback, min) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    console.error(`server.mjs: ${name} must be an integer >= ${min}, got ${JSON.stringify(raw)}`);
    process.exit(2);
  }
  return value;
}

const PORT = intFromEnv('PORT', 0, 0);
const ACCESS_TOKEN_TTL = intFromEnv('ACCESS_TOKEN_TTL', 3600, 1);
const ROTATE_REFRESH = (process.env.ROTATE_REFRESH ?? '1') !== '0';
const REQUEST_LOG = process.env.REQUEST_LOG || null;
const DEVICE_INTERVAL = intFromEnv('DEVICE_INTERVAL', 0, 0);
const HOLD_CODE_EXCHANGES = intFromEnv('HOLD_CODE_EXCHANGES', 0, 0);
const MAX_BODY = 56 * 1024; // oidc-provider's own limit

function exitNow() {
  process.exit(0);
}
process.on('SIGTERM', exitNow);
process.on('SIGINT', exitNow);

// Fresh signing keys on every start (RS256 for ID tokens, ES256 offered too). RSA key
// generation takes a few hundred ms: let it run while the server binds and the module loads.
const generate = promisify(generateKeyPair);
async function signingKey(type, options, alg) {
  const { privateKey } = await generate(type, options);
  const jwk = privateKey.export({ format: 'jwk' });
  return { ...jwk, use: 'sig', alg, kid: `${alg.toLowerCase()}-${process.pid}-${Date.now()}` };
}
const keysReady = Promise.all([
  signingKey('rsa', { modulusLength: 2048 }, 'RS256'),
  signingKey('ec', { namedCurve: 'P-256' }, 'ES256'),
]);

// Listen before the provider exists: its issuer must carry the port actually bound.
let handler = (req, res) => {
  res.statusCode = 503;
  res.end('starting');
};
const server = createServer((req, res) => handler(req, res));
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(PORT, '127.0.0.1', resolve);
});
const issuer = `http://127.0.0.1:${server.address().port}`;

const { default: Provider } = await import('oidc-provider');

const jwks = { keys: await keysReady };

const LOOPBACK_REDIRECT = ['http://127.0.0.1/callback'];
const interactive = {
  application_type: 'native',
  redirect_uris: LOOPBACK_REDIRECT,
  grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
  response_types: ['code'],
};

// oidc-provider drops offline_access from the granted scope unless prompt=consent was sent
// (OpenID Connect Core §11). To issue a refresh token whenever offline_access was *requested*,
// remember the PKCE challenge of every authorization request that asked for it.
const offlineRequested = new Set();

// oidc-provider accepts client_secret_basic and client_secret_post interchangeably for a client
// registered with either. These tests want the registered method only: see the middleware below.
const SECRET_METHOD = {
  'cli-post': 'client_secret_post',
  'cli-basic': 'client_secret_basic',
  introspector: 'client_secret_basic',
};
const CLIENT_AUTH_PATHS = new Set([
  '/token', '/token/introspection', '/token/revocation', '/device/auth', '/request',
]);

const provider = new Provider(issuer, {
  clients: [
    { ...interactive, client_id: 'cli-public', token_endpoint_auth_method: 'none' },
    {
      ...interactive,
      client_id: 'cli-post',
      client_secret: 'post-secret',
      token_endpoint_auth_method: 'client_secret_post',
    },
    {
      ...interactive,
      client_id: 'cli-basic',
      client_secret: 'basic-secret',
      token_endpoint_auth_method: 'client_secret_basic',
    },
    {
      // A resource server: only authenticates to introspect (and revoke) tokens.
      client_id: 'introspector',
      client_secret: 'introspector-secret',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [],
      response_types: [],
      redirect_uris: [],
    },
  ],
  jwks,
  cookies: { keys: ['oauthcli-test-provider-cookie-key'] },
  clockTolerance: 0,
  conformIdTokenClaims: false,
  pkce: { required: () => true },
  scopes: ['openid', 'email', 'profile', 'offline_access'],
  claims: { openid: ['sub'], email: ['email', 'email_verified'] },
  async findAccount(_ctx, sub) {
    return {
      accountId: sub,
      async claims() {
        return { sub, email: `${sub}@example.com`, email_verified: true };
      },
    };
  },
  async issueRefreshToken(_ctx, client, code) {
    if (!client.grantTypeAllowed('refresh_token')) return false;
    if (code.scopes.has('offline_access')) return true;
    return code.kind === 'AuthorizationCode'
      && offlineRequested.has(`${code.clientId} ${code.codeChallenge}`);
  },
  rotateRefreshToken: () => ROTATE_REFRESH,
  // Tokens live by their own TTL, not by the provider's browser session.
  expiresWithSession: () => false,
  ttl: {
    AccessToken: ACCESS_TOKEN_TTL,
    AuthorizationCode: 60,
    ClientCredentials: 600,
    DeviceCode: 600,
    IdToken: 3600,
    RefreshToken: 14 * 24 * 3600,
    Interaction: 3600,
    Session: 14 * 24 * 3600,
    Grant: 14 * 24 * 3600,
  },
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    userinfo: { enabled: true },
    revocation: {
      enabled: true,
      // A client may revoke its own tokens only (a refusal is a silent 200, RFC 7009).
      allowedPolicy: async (_ctx, client, token) => token.clientId === client.clientId,
    },
    introspection: {
      enabled: true,
      // `introspector` may introspect tokens of any client; others only their own.
      allowedPolicy: async (_ctx, client, token) => client.clientId === 'introspector'
        || token.clientId === client.clientId,
    },
  },
});

function first(value) {
  return Array.isArray(value) ? value[0] : value;
}

// The code exchanges held so far: each waits for its resolver to be called.
const held = [];
function holdCodeExchange() {
  return new Promise((resolve) => {
    held.push(resolve);
    if (held.length >= HOLD_CODE_EXCHANGES) held.splice(0).forEach((release) => release());
  });
}

function readRaw(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      // Past the limit keep draining (so the client still gets an answer) but keep nothing.
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) reject(new Error('request body too large'));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}

// Placed before oidc-provider's own routing (Provider#use inserts ahead of it).
provider.use(async (ctx, next) => {
  let form = {};
  let badBody = false;
  if (ctx.is('application/x-www-form-urlencoded')) {
    // Read the body here, then hand it on as req.body: oidc-provider's body parser takes an
    // already-read body from there (it prints one "already parsed request body" warning).
    try {
      const raw = await readRaw(ctx.req);
      ctx.req.body = raw;
      form = querystring.parse(raw);
    } catch {
      badBody = true;
    }
  }
  const query = querystring.parse(ctx.querystring);

  const header = ctx.get('authorization');
  const scheme = header ? header.trim().split(/\s+/)[0] : '';
  let basicClientId;
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(header.trim().split(/\s+/)[1] ?? '', 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    try {
      basicClientId = decodeURIComponent((colon === -1 ? decoded : decoded.slice(0, colon)).replace(/\+/g, ' '));
    } catch {
      basicClientId = colon === -1 ? decoded : decoded.slice(0, colon);
    }
  }
  const clientId = basicClientId ?? first(form.client_id) ?? first(query.client_id) ?? null;

  if (ctx.path === '/auth') {
    const params = ctx.method === 'POST' ? form : query;
    const scope = first(params.scope) ?? '';
    const challenge = first(params.code_challenge);
    if (challenge && scope.split(' ').includes('offline_access')) {
      offlineRequested.add(`${first(params.client_id)} ${challenge}`);
    }
  }

  if (REQUEST_LOG) {
    const entry = {
      at: Date.now(),
      method: ctx.method,
      path: ctx.path,
      query: { ...query },
      form: { ...form },
      authorization: scheme || null,
      client_id: clientId,
    };
    // Synchronous, so the line is on disk before any response goes out.
    appendFileSync(REQUEST_LOG, `${JSON.stringify(entry)}\n`);
  }

  if (badBody) {
    ctx.status = 400;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = { error: 'invalid_request', error_description: 'failed to read the request body' };
    return;
  }

  if (ctx.method === 'POST' && CLIENT_AUTH_PATHS.has(ctx.path) && SECRET_METHOD[clientId]) {
    const isBasic = scheme.toLowerCase() === 'basic';
    const isPost = form.client_secret !== undefined;
    const used = isBasic && !isPost ? 'client_secret_basic' : (isPost && !isBasic ? 'client_secret_post' : null);
    if (used && used !== SECRET_METHOD[clientId]) {
      ctx.status = 401;
      ctx.set('Cache-Control', 'no-store');
      ctx.body = {
        error: 'invalid_client',
        error_description: `client ${clientId} is registered for ${SECRET_METHOD[clientId]}, not ${used}`,
      };
      return;
    }
  }

  if (HOLD_CODE_EXCHANGES > 0 && ctx.method === 'POST' && ctx.path === '/token'
    && first(form.grant_type) === 'authorization_code') {
    await holdCodeExchange();
  }

  if (ctx.method === 'GET' && ctx.path === '/_test/health') {
    ctx.status = 200;
    ctx.type = 'text/plain';
    ctx.body = 'ok';
    return;
  }

  await next();

  if (DEVICE_INTERVAL && ctx.path === '/device/auth' && ctx.status === 200 && ctx.body) {
    ctx.body = { ...ctx.body, interval: DEVICE_INTERVAL };
  }
});

handler = provider.callback();
process.stdout.write(`READY ${issuer}\n`);
