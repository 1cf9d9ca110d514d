import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

/** The host firebase-admin sends to; the peer's certificate is issued for it. */
export const FCM_HOST = 'fcm.googleapis.com';
export const PEER_ACCESS_TOKEN = 'test-token';

/** A credential that hands out a fixed token: Google's OAuth endpoint is never involved. */
export const peerCredential = {
  getAccessToken: () => Promise.resolve({ access_token: PEER_ACCESS_TOKEN, expires_in: 3600 }),
};

/** One message that FCM accepted, as it arrived on the wire. */
export interface AcceptedFcmMessage {
  project: string;
  name: string;
  /** The `message` object of the request body (FCM HTTP v1 field names). */
  message: FcmWireMessage;
}

export interface FcmWireMessage {
  token?: string;
  notification?: { title?: string; body?: string };
  data?: Record<string, string>;
  android?: { priority?: string; notification?: Record<string, unknown> };
  apns?: { headers?: Record<string, string>; payload?: unknown };
  webpush?: { headers?: Record<string, string>; fcmOptions?: { link?: string } };
  [field: string]: unknown;
}

export interface FcmPeer {
  /** An agent for firebase-admin's `httpAgent`: every connection goes to this peer over TLS. */
  agent: https.Agent;
  /** https://127.0.0.1:<port>, for configuration that points push at an endpoint (FCM_ENDPOINT). */
  url: string;
  /** The peer's certificate (PEM), issued for fcm.googleapis.com: its own CA. */
  certificate: string;
  accepted: AcceptedFcmMessage[];
  /** Every POST to the send endpoint, accepted or not. */
  sendAttempts: number;
  /** Requests to anything but the send endpoint (an OAuth token fetch would land here). */
  strayRequests: { method: string; path: string }[];
  /** These tokens answer 404 UNREGISTERED from now on. */
  unregister(...tokens: string[]): void;
  /** These tokens answer 400 INVALID_ARGUMENT naming the registration token. */
  rejectAsMalformed(...tokens: string[]): void;
  /** The next `count` sends answer `status` (500 INTERNAL or 503 UNAVAILABLE), whatever the token. */
  failNext(count: number, status: 500 | 503, options?: { retryAfterSeconds?: number }): void;
  stop(): Promise<void>;
}

interface Failure {
  remaining: number;
  status: 500 | 503;
  retryAfterSeconds?: number;
}

/**
 * A local HTTPS server speaking FCM HTTP v1 `messages:send`, with the error bodies FCM sends
 * (google.rpc.Status with an FcmError detail), so firebase-admin maps them to its own codes.
 */
export async function startFcmPeer(): Promise<FcmPeer> {
  const tlsFiles = selfSignedCertificate(FCM_HOST);
  const unregistered = new Set<string>();
  const malformed = new Set<string>();
  let failure: Failure | undefined;
  let sequence = 0;

  const peer: Omit<FcmPeer, 'agent' | 'stop' | 'url' | 'certificate'> = {
    accepted: [],
    sendAttempts: 0,
    strayRequests: [],
    unregister: (...tokens) => tokens.forEach((token) => unregistered.add(token)),
    rejectAsMalformed: (...tokens) => tokens.forEach((token) => malformed.add(token)),
    failNext: (count, status, options) => {
      failure = { remaining: count, status, retryAfterSeconds: options?.retryAfterSeconds };
    },
  };

  const answer = (project: string, body: unknown, res: ServerResponse): void => {
    peer.sendAttempts += 1;
    if (failure && failure.remaining > 0) {
      failure.remaining -= 1;
      const headers: Record<string, string> = failure.retryAfterSeconds
        ? { 'retry-after': String(failure.retryAfterSeconds) }
        : {};
      return failure.status === 503
        ? sendError(res, 503, 'UNAVAILABLE', 'UNAVAILABLE', 'The service is unavailable.', headers)
        : sendError(res, 500, 'INTERNAL', 'INTERNAL', 'Internal error encountered.', headers);
    }
    const message = (body as { message?: FcmWireMessage } | undefined)?.message;
    const token = message?.token;
    if (!message || !token) {
      return sendError(res, 400, 'INVALID_ARGUMENT', 'INVALID_ARGUMENT', 'Request has no token.');
    }
    if (malformed.has(token)) {
      return sendError(
        res,
        400,
        'INVALID_ARGUMENT',
        'INVALID_ARGUMENT',
        'The registration token is not a valid FCM registration token',
      );
    }
    if (unregistered.has(token)) {
      return sendError(res, 404, 'NOT_FOUND', 'UNREGISTERED', 'Requested entity was not found.');
    }
    sequence += 1;
    const name = `projects/${project}/messages/0:${sequence}`;
    peer.accepted.push({ project, name, message });
    sendJson(res, 200, { name });
  };

  const server = https.createServer(
    { key: tlsFiles.key, cert: tlsFiles.cert },
    (req: IncomingMessage, res: ServerResponse) => {
      const match = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !match?.[1]) {
        peer.strayRequests.push({ method: req.method ?? '', path: req.url ?? '' });
        return sendError(res, 404, 'NOT_FOUND', undefined, 'Not found.');
      }
      if (req.headers.authorization !== `Bearer ${PEER_ACCESS_TOKEN}`) {
        return sendError(
          res,
          401,
          'UNAUTHENTICATED',
          undefined,
          'Request had invalid credentials.',
        );
      }
      readJson(req)
        .then((body) => answer(match[1] as string, body, res))
        .catch(() => sendError(res, 400, 'INVALID_ARGUMENT', undefined, 'Body is not JSON.'));
    },
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = peerAgent(port, tlsFiles.cert);

  return Object.assign(peer, {
    agent,
    url: `https://127.0.0.1:${port}`,
    certificate: tlsFiles.cert,
    stop: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

/** Opens every connection to the peer, verifying its certificate as fcm.googleapis.com. */
function peerAgent(port: number, ca: string): https.Agent {
  const agent = new https.Agent({ keepAlive: true });
  agent.createConnection = () => tls.connect({ host: '127.0.0.1', port, servername: FCM_HOST, ca });
  return agent;
}

function sendError(
  res: ServerResponse,
  code: number,
  status: string,
  fcmErrorCode: string | undefined,
  message: string,
  headers: Record<string, string> = {},
): void {
  const details = fcmErrorCode
    ? [{ '@type': 'type.googleapis.com/google.firebase.fcm.v1.FcmError', errorCode: fcmErrorCode }]
    : [];
  sendJson(res, code, { error: { code, message, status, details } }, headers);
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

let cached: { key: string; cert: string } | undefined;

/** A throwaway key and certificate for `host`, made once per test process with openssl. */
function selfSignedCertificate(host: string): { key: string; cert: string } {
  if (cached) return cached;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-fcm-peer-'));
  try {
    const keyFile = path.join(dir, 'key.pem');
    const certFile = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-keyout',
        keyFile,
        '-out',
        certFile,
        '-subj',
        `/CN=${host}`,
        '-addext',
        `subjectAltName=DNS:${host}`,
        '-days',
        '1',
      ],
      { stdio: 'ignore' },
    );
    cached = { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8') };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
