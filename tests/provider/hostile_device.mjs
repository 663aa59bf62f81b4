// The device authorization grant (RFC 8628 §3.1-§3.5) of the hostile provider (hostile.mjs),
// in its device-* modes: a correct grant, or one that misbehaves in exactly one way. Codes
// are approved at the second poll unless the mode says otherwise.
//
// hostile.mjs gives it what the two share (client authentication, JSON answers, ID tokens)
// and routes `POST /device/auth` and the token endpoint's device-code polls here.

export const DEVICE_MODES = {
  'device-ok': 'a correct device grant, interval 1 s',
  'device-slow-down': 'the first poll is answered slow_down, the next one with tokens',
  'device-denied': 'every poll is answered access_denied',
  'device-expired': 'every poll is answered expired_token',
  'device-http-uri': 'the verification_uri is plain http off loopback',
  'device-interval-0': 'the interval is 0',
  'device-interval-huge': 'the interval is a day, the code lives 2 s',
  'device-control-code': 'the user code holds a terminal escape (OSC 52, to set the clipboard)',
  'device-stall': 'the device authorization endpoint never answers',
  'device-invalid-client': 'the device authorization endpoint answers invalid_client',
  'device-unauthorized-client': 'the device authorization endpoint answers unauthorized_client',
  'device-unsupported-grant': 'the device authorization endpoint answers unsupported_grant_type',
  'device-poll-error': 'every poll is answered with the error POLL_ERROR (one of POLL_ERRORS)',
  'device-flaky': 'the first poll is answered 502 by a gateway, the second has its connection reset, the third closed unanswered, the fourth gets tokens',
  'device-down': 'every poll is answered 503 by a gateway',
  'device-poll-stall': 'interval 2 s; the first poll is never answered, the second gets tokens',
};

// The errors of MISBEHAVE=device-poll-error: the HTTP status and description each comes with.
// GitHub's device-flow codes come with HTTP 200, as all its token errors do, and its
// descriptions ("Authorizing OAuth apps", device flow error codes; "Troubleshooting OAuth app
// access token request errors"); invalid_grant as oidc-provider answers a device code it no
// longer knows, an expired one among them.
const POLL_ERRORS = {
  incorrect_device_code: [200, 'The device_code provided is not valid.'],
  device_flow_disabled: [200, 'Device flow has not been enabled in the app\'s settings.'],
  unsupported_grant_type: [200, 'The grant type must be urn:ietf:params:oauth:grant-type:device_code.'],
  incorrect_client_credentials: [200, 'The client_id and/or client_secret passed are incorrect.'],
  invalid_grant: [400, 'grant request is invalid'],
};

// The device grant of `mode`. `shared` holds what hostile.mjs shares with it: `authenticate`,
// `send`, `oauthError`, `noStore` (the headers of a token response), `token` (a fresh random
// token), `accessTokens` (the set userinfo accepts) and `idToken(issuer, request)`.
export function deviceGrant(mode, shared) {
  const { authenticate, send, oauthError, noStore, token, accessTokens, idToken } = shared;
  const devices = new Map(); // device code -> { request, polls }
  const pollError = mode === 'device-poll-error' ? POLL_ERRORS[process.env.POLL_ERROR] : null;
  if (mode === 'device-poll-error' && !pollError) {
    throw new Error(`POLL_ERROR must be one of ${Object.keys(POLL_ERRORS).join(', ')}`);
  }

  // RFC 8628 §3.1, §3.2: the device authorization request and response.
  function authorization(issuer, req, form, res) {
    if (mode === 'device-stall') return undefined; // never answered
    const refusal = {
      'device-invalid-client': [401, 'invalid_client', 'client authentication failed'],
      'device-unauthorized-client': [400, 'unauthorized_client', 'the device grant is not enabled for this client'],
      'device-unsupported-grant': [400, 'unsupported_grant_type', 'no device grant here'],
    }[mode];
    if (refusal) return oauthError(res, ...refusal);
    const client = authenticate(req, form);
    if (!client) return oauthError(res, 401, 'invalid_client', 'client authentication failed');
    const deviceCode = token();
    const userCode = mode === 'device-control-code' ? 'WDJB\u001b]52;c;ZXZpbA==\u0007' : 'WDJB-MJHT';
    devices.set(deviceCode, { request: { client_id: client, scope: form.get('scope') }, polls: 0 });
    const body = {
      device_code: deviceCode,
      user_code: userCode,
      verification_uri: mode === 'device-http-uri' ? 'http://evil.example/device' : `${issuer}/device`,
      verification_uri_complete: `${issuer}/device?user_code=${userCode}`,
      expires_in: mode === 'device-interval-huge' ? 2 : 600,
      interval: { 'device-interval-0': 0, 'device-interval-huge': 86400, 'device-poll-stall': 2 }[mode] ?? 1,
    };
    return send(res, 200, body, noStore);
  }

  // RFC 8628 §3.4, §3.5: a poll of the token endpoint.
  function poll(issuer, req, form, res) {
    const client = authenticate(req, form);
    if (!client) return oauthError(res, 401, 'invalid_client', 'client authentication failed');
    const device = devices.get(form.get('device_code'));
    if (!device || device.request.client_id !== client) {
      return oauthError(res, 400, 'invalid_grant', 'unknown device code');
    }
    device.polls += 1;
    // What a gateway in front of a provider that is down for a moment answers: HTML.
    const gateway = (status) => {
      const text = `<html><body><h1>${status}</h1>the server is down for a moment</body></html>`;
      res.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    if (mode === 'device-down') return gateway(503);
    if (mode === 'device-poll-stall' && device.polls === 1) return undefined; // never answered
    if (mode === 'device-flaky' && device.polls === 1) return gateway(502);
    if (mode === 'device-flaky' && device.polls === 2) return req.socket.resetAndDestroy(); // RST
    if (mode === 'device-flaky' && device.polls === 3) return req.socket.destroy(); // FIN
    if (mode === 'device-denied') return oauthError(res, 400, 'access_denied', 'the user said no');
    if (mode === 'device-expired') return oauthError(res, 400, 'expired_token', 'too late');
    if (pollError) return oauthError(res, pollError[0], process.env.POLL_ERROR, pollError[1]);
    if (mode === 'device-slow-down' && device.polls === 1) {
      return oauthError(res, 400, 'slow_down', 'you are polling too quickly');
    }
    const approvedAt = mode === 'device-flaky' ? 4 : 2;
    if (device.polls < approvedAt) {
      return oauthError(res, 400, 'authorization_pending', 'not yet');
    }
    devices.delete(form.get('device_code'));
    const access = token();
    accessTokens.add(access);
    return send(res, 200, {
      access_token: access,
      token_type: 'Bearer',
      expires_in: 3600,
      refresh_token: token(),
      scope: device.request.scope,
      id_token: idToken(issuer, device.request),
    }, noStore);
  }

  return { authorization, poll };
}
