import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../src/config';
import { pushChannelFromConfig } from '../../src/runtime/activity-deps';
import { PEER_ACCESS_TOKEN, startFcmPeer, type FcmPeer } from '../support/fcm-peer';

/** Staging and tests point push at an FCM-compatible endpoint by configuration, as SMS can. */
describe('FCM_ENDPOINT', () => {
  let peer: FcmPeer;
  let dir: string;

  beforeAll(async () => {
    peer = await startFcmPeer();
    dir = mkdtempSync(path.join(os.tmpdir(), 'cairn-fcm-ca-'));
    writeFileSync(path.join(dir, 'ca.pem'), peer.certificate);
  });

  afterAll(async () => {
    await peer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('sends push through the configured endpoint with its CA and token, never to Google', async () => {
    const config = loadConfig({
      FIREBASE_PROJECT_ID: 'cairn-staging',
      FCM_ENDPOINT: peer.url,
      FCM_ENDPOINT_CA_FILE: path.join(dir, 'ca.pem'),
      FCM_ACCESS_TOKEN: PEER_ACCESS_TOKEN,
    });
    const channel = pushChannelFromConfig(config.firebaseProjectId!, config.fcmEndpoint);
    try {
      const receipt = await channel.send({
        deliveryId: '3f1c2a9e-0000-4000-8000-0000000000f1',
        tokens: ['token-staging-0123456789'],
        title: 'Hello',
        body: 'From staging',
        priority: 'normal',
      });
      expect(receipt.delivered).toEqual(['token-staging-0123456789']);
      expect(peer.accepted.map((m) => [m.project, m.message.token])).toEqual([
        ['cairn-staging', 'token-staging-0123456789'],
      ]);
      // No OAuth token fetch: the fixed token is the credential.
      expect(peer.strayRequests).toEqual([]);
    } finally {
      await channel.close();
    }
  });

  it('refuses an endpoint that is not https, naming the setting', () => {
    expect(() => loadConfig({ FCM_ENDPOINT: 'http://127.0.0.1:9' })).toThrow(/FCM_ENDPOINT/);
  });
});
