// A small OpenID provider that misbehaves in exactly one way, for the security tests.
//
//   MISBEHAVE=id-expired node tests/provider/hostile.mjs
//
// The real provider (server.mjs) is certified and cannot be made to forge an ID token, send a
// foreign `iss` or redirect its token endpoint; this one can. With MISBEHAVE=none it is a
// correct provider of the authorization-code flow with PKCE, and speaks the documented wire
// formats: OpenID Discovery 1.0 §3 metadata (with RFC 8414 and RFC 9207 fields), a JWK Set
// (RFC 7517), the authorization response as a 302 to the redirect URI (RFC 6749 §4.1.2,
// RFC 9207 §2), token responses and errors as JSON (RFC 6749 §5.1, §5.2), ID tokens as JWS
// compact serialization (RFC 7515 §3.1) signed RS256 with a key made at start, userinfo
// (OpenID Core §5.3), revocation (RFC 7009), and in the device-* modes the device
// authorization grant (RFC 8628 §3.1-§3.5, in hostile_device.mjs). Node's standard library
// only.
//
// Environment:
//   MISBEHAVE     none (default) or one of the modes in MODES below
//   BENT_AT       login (default) or refresh: which token responses a mode that bends token
//                 responses or ID tokens bends; the others are correct. So a test can log in
//                 and then be refused at refresh (RFC 6749 §6, OpenID Core §12.2).
//   REDIRECT_TO   where the token endpoint redirects, for MISBEHAVE=token-redirect
//   POLL_ERROR    the error every device-code poll is answered with, for
//                 MISBEHAVE=device-poll-error (hostile_device.mjs)
//   TLS_CERT, TLS_KEY   PEM files: serve https instead of http
//   REQUEST_LOG   file to append one JSON line per request to, as server.mjs does (with `at`,
//                 the time it came in, in milliseconds)
//
// Once listening it prints one line to stdout: `READY http(s)://127.0.0.1:PORT`.

import { appendFileSync, readFileSync } from 'node:fs';
import { createServer as createHttp } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { createHash, createHmac, generateKeyPairSync, randomBytes, sign } from 'node:crypto';

import { DEVICE_MODES, deviceGrant } from './hostile_device.mjs';

const MODES = {
  none: 'a correct provider',
  'iss-foreign': 'the authorization response names another issuer',
  'iss-missing': 'discovery promises `iss` in authorization responses, which carry none',
  'pkce-plain-only': 'discovery lists `plain` as the only PKCE method',
  'error-script': 'the authorization response is an error whose description holds markup and terminal escapes',
  'token-redirect': 'the token endpoint answers 307 to REDIRECT_TO',
  'token-stall': 'the token endpoint never answers',
  'token-huge': 'the token endpoint answers with a 2 MiB body',
  'token-bare-400': 'the token endpoint refuses with HTTP 400 and an empty body, no error code',
  'token-html-500': 'the token endpoint fails with an HTML page and HTTP 500',
  'id-forged': 'the ID token is signed with another key under the published key id',
  'id-expired': 'the ID token expired ten minutes ago',
  'id-future': 'the ID token is issued ten minutes in the future',
  'id-clock-ahead': 'the provider clock runs 30 s ahead (a correct token otherwise)',
  'id-just-expired': 'the ID token, valid for a minute, expired 30 s ago (a correct token otherwise)',
  'id-wrong-aud': 'the ID token is for another client',
  'id-extra-aud': 'the ID token is for this client and another one',
  'id-azp': 'the ID token names another client as its authorized party',
  'id-wrong-nonce': 'the ID token carries another nonce',
  'id-no-nonce': 'the ID token carries no nonce',
  'id-wrong-iss': 'the ID token names another issuer',
  'id-alg-none': 'the ID token is unsigned (alg none)',
  'id-hs256': 'the ID token is signed HS256 with the public key as the HMAC secret',
  'userinfo-other-sub': 'the ID token has no email, and userinfo describes another subject',
  'id-other-sub': 'the ID token is about another user (sub mallory)',
  'id-empty-sub': 'the ID token has an empty sub',
  'email-controls': 'the email in the ID token holds C1 and bidi control characters',
  'access-crlf': 'the access token holds CR LF and a header line',
  'access-escape': 'the access token holds a terminal escape sequence',
  'token-type-dpop': 'the token type is DPoP',
  'token-type-mac': 'the token type is mac',
  'rfc8414-revocation': 'discovery names no revocation endpoint; the RFC 8414 metadata (at the origin, RFC 8414 §3.1) does',
  'rfc8414-foreign': 'discovery names no revocation endpoint; the RFC 8414 metadata names it, but for another issuer',
  'endpoint-userinfo': 'the authorization endpoint has a user name that looks like a host (accounts.example.com@)',
  // The device grant (RFC 8628): discovery names a device authorization endpoint.
  ...DEVICE_MODES,
};
// An email that a terminal or a JSON reader could be fooled by: CSI (U+009B) and the other
// C1 controls, and a right-to-left override (U+202E).
const CONTROL_EMAIL = 'alice\u009b31m\u0085\u202egnp.exe@example.com';

const MODE = process.env.MISBEHAVE || 'none';
if (!(MODE in MODES)) {
  console.error(`hostile.mjs: unknown MISBEHAVE ${JSON.stringify(MODE)}; one of ${Object.keys(MODES).join(', ')}`);
  process.exit(2);
}
const BENT_AT = process.env.BENT_AT || 'login';
if (!['login', 'refresh'].includes(BENT_AT)) {
  console.error(`hostile.mjs: BENT_AT must be login or refresh, not ${JSON.stringify(BENT_AT)}`);
  process.exit(2);
}
// The mode a token response of this grant is bent in.
const bentAt = (grant) => (grant === BENT_AT ? MODE : 'none');
const REQUEST_LOG = process.env.REQUEST_LOG || null;
const TLS = process.env.TLS_CERT
  ? { cert: readFileSync(process.env.TLS_CERT), key: readFileSync(process.env.TLS_KEY) }
  : null;
process.on('SIGTERM', () => process.exit(0));
process.on('SIGINT', () => process.exit(0));

const CLIENTS = { 'cli-public': null, 'cli-basic': 'basic-secret' };
const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
const forger = generateKeyPairSync('rsa', { modulusLength: 2048 });
const KID = `hostile-${process.pid}`;
const jwk = { ...keys.publicKey.export({ format: 'jwk' }), kid: KID, alg: 'RS256', use: 'sig' };

const codes = new Map(); // code -> the authorization request it answers
const DEVICE = MODE in DEVICE_MODES;
const refreshTokens = new Map(); // refresh token -> the authorization request of its login
const accessTokens = new Set();
const b64u = (data) => Buffer.from(data).toString('base64url');
const token = () => b64u(randomBytes(32));
const now = () => Math.floor(Date.now() / 1000);

// JWS compact serialization (RFC 7515 §3.1, §7.1): BASE64URL(header) '.' BASE64URL(payload)
// '.' BASE64URL(signature over the first two parts).
function jws(header, claims, bent) {
  const input = `${b64u(JSON.stringify(header))}.${b64u(JSON.stringify(claims))}`;
  let signature;
  if (header.alg === 'none') {
    signature = Buffer.alloc(0);
  } else if (header.alg === 'HS256') {
    const secret = keys.publicKey.export({ type: 'spki', format: 'pem' });
    signature = createHmac('sha256', secret).update(input).digest();
  } else {
    const key = bent === 'id-forged' ? forger.privateKey : keys.privateKey;
    signature = sign('sha256', Buffer.from(input), key); // RS256: RSASSA-PKCS1-v1_5, SHA-256
  }
  return `${input}.${b64u(signature)}`;
}

// An ID token for `request`, bent in mode `bent`. A refreshed one (`refreshed`) carries no
// nonce (OpenID Core §12.2).
function idToken(issuer, request, bent, refreshed) {
  const t = now();
  const claims = {
    iss: issuer,
    sub: 'alice',
    aud: request.client_id,
    exp: t + 3600,
    iat: t,
    nonce: request.nonce,
    email: 'alice@example.com',
    email_verified: true,
  };
  if (refreshed) delete claims.nonce;
  const header = { alg: 'RS256', typ: 'JWT', kid: KID };
  switch (bent) {
    case 'id-expired': Object.assign(claims, { iat: t - 4200, exp: t - 600 }); break;
    case 'id-future': Object.assign(claims, { iat: t + 600, exp: t + 4200 }); break;
    case 'id-clock-ahead': Object.assign(claims, { iat: t + 30, exp: t + 3630 }); break;
    case 'id-just-expired': Object.assign(claims, { iat: t - 90, exp: t - 30 }); break;
    case 'id-wrong-aud': claims.aud = 'another-client'; break;
    case 'id-extra-aud': Object.assign(claims, { aud: [request.client_id, 'another-client'], azp: request.client_id }); break;
    case 'id-azp': claims.azp = 'another-client'; break;
    case 'id-wrong-nonce': claims.nonce = `not-${request.nonce}`; break;
    case 'id-no-nonce': delete claims.nonce; break;
    case 'id-wrong-iss': claims.iss = 'https://evil.example'; break;
    case 'id-alg-none': header.alg = 'none'; delete header.kid; break;
    case 'id-hs256': header.alg = 'HS256'; break;
    case 'userinfo-other-sub': delete claims.email; delete claims.email_verified; break;
    case 'id-other-sub': Object.assign(claims, { sub: 'mallory', email: 'mallory@example.com' }); break;
    case 'id-empty-sub': claims.sub = ''; break;
    case 'email-controls': claims.email = CONTROL_EMAIL; break;
    default: break;
  }
  return jws(header, claims, bent);
}

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  const type = typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

// RFC 6749 §5.1: token responses must not be cached.
const NO_STORE = { 'Cache-Control': 'no-store', Pragma: 'no-cache' };
const oauthError = (res, status, error, description) => send(
  res, status, { error, error_description: description }, NO_STORE,
);

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// RFC 6749 §2.3.1: client_secret_basic, or the client id (and for a confidential client its
// secret, client_secret_post) in the body.
function authenticate(req, form) {
  const header = req.headers.authorization || '';
  if (header.startsWith('Basic ')) {
    const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const id = decodeURIComponent(decoded.slice(0, colon).replace(/\+/g, ' '));
    const secret = decodeURIComponent(decoded.slice(colon + 1).replace(/\+/g, ' '));
    return colon > 0 && CLIENTS[id] === secret ? id : null;
  }
  const id = form.get('client_id');
  return id in CLIENTS && CLIENTS[id] === form.get('client_secret') ? id : null;
}

function discovery(issuer) {
  return {
    issuer,
    authorization_endpoint: MODE === 'endpoint-userinfo'
      ? issuer.replace('://', '://accounts.example.com@') + '/auth'
      : `${issuer}/auth`,
    token_endpoint: `${issuer}/token`,
    userinfo_endpoint: `${issuer}/me`,
    ...(MODE.startsWith('rfc8414-') ? {} : { revocation_endpoint: `${issuer}/revoke` }),
    jwks_uri: `${issuer}/jwks`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
    scopes_supported: ['openid', 'email', 'offline_access'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'nonce', 'email', 'email_verified'],
    token_endpoint_auth_methods_supported: ['none', 'client_secret_basic'],
    code_challenge_methods_supported: MODE === 'pkce-plain-only' ? ['plain'] : ['S256'],
    authorization_response_iss_parameter_supported: true,
    ...(DEVICE ? { device_authorization_endpoint: `${issuer}/device/auth` } : {}),
  };
}

function authorize(issuer, url, res) {
  const q = url.searchParams;
  const redirect = q.get('redirect_uri') || '';
  const loopback = /^http:\/\/127\.0\.0\.1:\d+\/callback$/.test(redirect);
  // RFC 6749 §4.1.2.1: with a bad client or redirect URI, tell the user, never redirect.
  if (!(q.get('client_id') in CLIENTS) || !loopback) {
    return send(res, 400, 'unknown client or redirect_uri');
  }
  const answer = new URLSearchParams();
  if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge')) {
    answer.set('error', 'invalid_request');
  } else if (MODE === 'error-script') {
    answer.set('error', 'access_denied');
    answer.set('error_description', '<script>alert(document.cookie)</script>\u001b]0;pwned\u0007\u202egnp.exe');
  } else {
    const code = token();
    codes.set(code, Object.fromEntries(q));
    answer.set('code', code);
  }
  answer.set('state', q.get('state'));
  if (MODE === 'iss-foreign') answer.set('iss', 'https://evil.example');
  else if (MODE !== 'iss-missing') answer.set('iss', issuer);
  return send(res, 302, '', { Location: `${redirect}?${answer}` });
}

// A token response (RFC 6749 §5.1) for the login of `request`, bent in mode `bent`.
function tokenResponse(issuer, request, bent, refreshed) {
  const access = token();
  accessTokens.add(access);
  const refresh = token();
  refreshTokens.set(refresh, request);
  const body = {
    access_token: access,
    token_type: 'Bearer',
    expires_in: 3600,
    refresh_token: refresh,
    scope: request.scope,
    id_token: idToken(issuer, request, bent, refreshed),
  };
  switch (bent) {
    case 'access-crlf': body.access_token = `${access}\r\nX-Injected: 1`; break;
    case 'access-escape': body.access_token = `${access}\u001b]0;pwned\u0007`; break;
    case 'token-type-dpop': body.token_type = 'DPoP'; break;
    case 'token-type-mac': body.token_type = 'mac'; break;
    case 'token-huge': body.padding = 'x'.repeat(2 * 1024 * 1024); break;
    default: break;
  }
  return body;
}

function exchange(issuer, req, form, res) {
  if (MODE === 'token-stall') return undefined; // never answered
  if (MODE === 'token-redirect') {
    return send(res, 307, '', { Location: process.env.REDIRECT_TO });
  }
  if (DEVICE && form.get('grant_type') === 'urn:ietf:params:oauth:grant-type:device_code') {
    return device.poll(issuer, req, form, res);
  }
  // Only for the grant BENT_AT names (a refresh, or the login's exchange).
  const grant = form.get('grant_type') === 'refresh_token' ? 'refresh' : 'login';
  if (bentAt(grant) === 'token-bare-400') return send(res, 400, '');
  if (bentAt(grant) === 'token-html-500') {
    res.writeHead(500, { 'Content-Type': 'text/html' });
    return res.end('<html>\n<body><h1>500 Internal Server Error</h1>\n<p>nginx</p></body></html>\n');
  }
  const client = authenticate(req, form);
  if (!client) return oauthError(res, 401, 'invalid_client', 'client authentication failed');
  if (form.get('grant_type') === 'refresh_token') return refresh(issuer, client, form, res);
  if (form.get('grant_type') !== 'authorization_code') {
    return oauthError(res, 400, 'unsupported_grant_type', 'only authorization_code and refresh_token');
  }
  const request = codes.get(form.get('code'));
  codes.delete(form.get('code'));
  const verifier = form.get('code_verifier') || '';
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  if (!request || request.client_id !== client || request.redirect_uri !== form.get('redirect_uri')
      || request.code_challenge !== challenge) {
    return oauthError(res, 400, 'invalid_grant', 'bad code, redirect_uri or code_verifier');
  }
  return send(res, 200, tokenResponse(issuer, request, bentAt('login'), false), NO_STORE);
}

// RFC 6749 §6: the refresh token is used up and a new one issued (rotation, RFC 9700 §4.14.2).
function refresh(issuer, client, form, res) {
  const request = refreshTokens.get(form.get('refresh_token'));
  refreshTokens.delete(form.get('refresh_token'));
  if (!request || request.client_id !== client) {
    return oauthError(res, 400, 'invalid_grant', 'unknown refresh token');
  }
  return send(res, 200, tokenResponse(issuer, request, bentAt('refresh'), true), NO_STORE);
}

function userinfo(req, res) {
  const header = req.headers.authorization || '';
  if (!header.startsWith('Bearer ') || !accessTokens.has(header.slice(7))) {
    return send(res, 401, '', { 'WWW-Authenticate': 'Bearer error="invalid_token"' });
  }
  const sub = MODE === 'userinfo-other-sub' ? 'mallory' : 'alice';
  return send(res, 200, { sub, email: `${sub}@example.com`, email_verified: true });
}

const device = deviceGrant(MODE, {
  authenticate, send, oauthError, noStore: NO_STORE, token, accessTokens, idToken,
});

let issuer;
async function handle(req, res) {
  const url = new URL(req.url, issuer);
  const form = new URLSearchParams(req.method === 'POST' ? await readBody(req) : '');
  if (REQUEST_LOG) {
    const scheme = (req.headers.authorization || '').split(' ')[0] || null;
    const entry = {
      at: Date.now(),
      method: req.method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      form: Object.fromEntries(form),
      authorization: scheme,
      client_id: form.get('client_id'),
    };
    appendFileSync(REQUEST_LOG, `${JSON.stringify(entry)}\n`);
  }
  switch (`${req.method} ${url.pathname}`) {
    case 'GET /.well-known/openid-configuration': return send(res, 200, discovery(issuer));
    case 'GET /.well-known/oauth-authorization-server':
      if (!MODE.startsWith('rfc8414-')) return send(res, 404, 'not found');
      return send(res, 200, {
        ...discovery(issuer),
        issuer: MODE === 'rfc8414-foreign' ? 'https://evil.example' : issuer,
        revocation_endpoint: `${issuer}/revoke`,
      });
    case 'GET /jwks': return send(res, 200, { keys: [jwk] });
    case 'GET /auth': return authorize(issuer, url, res);
    case 'POST /token': return exchange(issuer, req, form, res);
    case 'POST /device/auth': return DEVICE ? device.authorization(issuer, req, form, res) : send(res, 404, 'not found');
    case 'GET /me': return userinfo(req, res);
    case 'POST /revoke': return send(res, 200, '');
    default: return send(res, 404, 'not found');
  }
}

const server = TLS ? createHttps(TLS, handle) : createHttp(handle);
server.listen(0, '127.0.0.1', () => {
  issuer = `${TLS ? 'https' : 'http'}://127.0.0.1:${server.address().port}`;
  process.stdout.write(`READY ${issuer}\n`);
});
