import https from 'node:https';
import tls from 'node:tls';
import type { Credential } from 'firebase-admin/app';

/** The host firebase-admin addresses; an endpoint of one's own answers under this name. */
const FCM_HOST = 'fcm.googleapis.com';

/**
 * Points firebase-admin at an FCM-compatible endpoint of one's own (staging, load tests, a local
 * FCM peer) instead of Google: every connection goes to `endpoint` over TLS, verified as
 * fcm.googleapis.com against `ca` (the endpoint's own certificate authority, PEM) or the system's
 * roots. firebase-admin still writes its usual URLs; only where they land changes.
 */
export function fcmEndpointAgent(endpoint: string, ca?: string): https.Agent {
  const url = new URL(endpoint);
  if (url.protocol !== 'https:') throw new Error('FCM_ENDPOINT must be an https URL');
  const port = Number(url.port || 443);
  const agent = new https.Agent({ keepAlive: true });
  agent.createConnection = () =>
    tls.connect({ host: url.hostname, port, servername: FCM_HOST, ...(ca ? { ca } : {}) });
  return agent;
}

/** A fixed bearer token for such an endpoint, so no token is fetched from Google. */
export function fixedAccessToken(token: string): Credential {
  return { getAccessToken: () => Promise.resolve({ access_token: token, expires_in: 3600 }) };
}
