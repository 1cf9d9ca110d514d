import type { ActivityDeps } from '../../src/activities';
import { createInAppChannel } from '../../src/channels/in-app-channel';
import { createPushChannel } from '../../src/channels/push-channel';
import { createSmsChannel } from '../../src/channels/sms-channel';
import type { Database } from '../../src/db/database';
import { peerCredential, startFcmPeer, type FcmPeer } from './fcm-peer';
import { startSmtpPeer, type SmtpPeer } from './smtp-peer';
import { startTwilioPeer, type TwilioPeer } from './twilio-peer';

export const SMS_SENDER = '+15005550006';

export interface ChannelPeers {
  smtp: SmtpPeer;
  twilio: TwilioPeer;
  fcm: FcmPeer;
  /** The SMS, push and in-app channels of the real SDKs, pointed at the peers. */
  channels(db: Database): Pick<ActivityDeps, 'sms' | 'push' | 'inApp'>;
  stop(): Promise<void>;
}

/** Every provider Cairn talks to, as a local server speaking its wire format. */
export async function startChannelPeers(): Promise<ChannelPeers> {
  const [smtp, twilio, fcm] = await Promise.all([
    startSmtpPeer(),
    startTwilioPeer(),
    startFcmPeer(),
  ]);
  return {
    smtp,
    twilio,
    fcm,
    channels: (db) => ({
      sms: createSmsChannel({
        accountSid: twilio.accountSid,
        authToken: twilio.authToken,
        from: SMS_SENDER,
        apiBaseUrl: twilio.url,
      }),
      push: createPushChannel({
        projectId: 'cairn-test',
        credential: peerCredential,
        httpAgent: fcm.agent,
      }),
      inApp: createInAppChannel({ db }),
    }),
    stop: async () => {
      await Promise.all([smtp.stop(), twilio.stop(), fcm.stop()]);
    },
  };
}
