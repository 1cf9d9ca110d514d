import { randomUUID } from 'node:crypto';
import type { Agent } from 'node:https';
import { applicationDefault, deleteApp, initializeApp, type Credential } from 'firebase-admin/app';
import { getMessaging, type Messaging, type TokenMessage } from 'firebase-admin/messaging';
import { ChannelError, type OutboundPush, type PushChannel, type PushReceipt } from './channel';
import {
  classifyTokenFailure,
  fcmCode,
  noDeliveryError,
  type ClassifiedFailure,
  type FcmFailure,
} from './fcm-errors';
import { fcmMessage } from './fcm-message';

export interface PushChannelOptions {
  /** FIREBASE_PROJECT_ID: the Firebase project whose apps own the device tokens. */
  projectId: string;
  /** Default: Google application default credentials (GOOGLE_APPLICATION_CREDENTIALS). */
  credential?: Credential;
  /**
   * Carries every request to FCM. With an agent, sends use firebase-admin's HTTP/1.1 transport,
   * because its default HTTP/2 transport ignores the agent.
   */
  httpAgent?: Agent;
  /** The firebase-admin app name; default a fresh unique one, so channels never share an app. */
  appName?: string;
}

/** FCM's limit on one sendEach call. */
const MAX_MESSAGES_PER_CALL = 500;

/**
 * Push through firebase-admin's FCM HTTP v1 client: one message per device token (sendEach), so
 * each token's outcome is known. The send resolves when at least one token took the message and
 * throws a PushSendError (a ChannelError) when none did.
 */
export function createPushChannel(options: PushChannelOptions): PushChannel {
  const app = initializeApp(
    {
      projectId: options.projectId,
      credential: options.credential ?? applicationDefault(options.httpAgent),
      ...(options.httpAgent ? { httpAgent: options.httpAgent } : {}),
    },
    options.appName ?? `cairn-push-${randomUUID()}`,
  );
  const messaging = getMessaging(app);
  if (options.httpAgent) messaging.enableLegacyHttpTransport();

  return {
    name: 'push',
    send: (push) => sendPush(messaging, push),
    close: () => deleteApp(app),
  };
}

async function sendPush(messaging: Messaging, push: OutboundPush): Promise<PushReceipt> {
  const tokens = [...new Set(push.tokens)];
  if (tokens.length === 0) throw new ChannelError('push', 'permanent', 'no_tokens');
  const messages = tokens.map((token) => fcmMessage(push, token));
  const outcomes: TokenResult[] = [];
  for (let start = 0; start < messages.length; start += MAX_MESSAGES_PER_CALL) {
    outcomes.push(
      ...(await sendBatch(messaging, messages.slice(start, start + MAX_MESSAGES_PER_CALL))),
    );
  }
  return receiptFor(tokens, outcomes);
}

/** One token's result: firebase-admin's SendResponse, or our stand-in when sendEach threw. */
interface TokenResult {
  success: boolean;
  messageId?: string;
  error?: FcmFailure;
}

/**
 * sendEach reports per-message failures in its result; when it throws, none of the batch went out,
 * and each of its tokens is recorded with that error (an earlier batch may already be delivered).
 */
async function sendBatch(messaging: Messaging, batch: TokenMessage[]): Promise<TokenResult[]> {
  try {
    return (await messaging.sendEach(batch)).responses;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    const failure: FcmFailure = { code: typeof code === 'string' ? code : undefined };
    return batch.map(() => ({ success: false, error: failure }));
  }
}

function receiptFor(tokens: string[], responses: TokenResult[]): PushReceipt {
  const delivered: { token: string; messageId: string }[] = [];
  const invalidTokens: string[] = [];
  const failures: ClassifiedFailure[] = [];
  tokens.forEach((token, index) => {
    const response = responses[index];
    if (response?.success) {
      delivered.push({ token, messageId: response.messageId ?? '' });
      return;
    }
    const error = response?.error ?? { code: 'messaging/unknown-error' };
    const outcome = classifyTokenFailure(error);
    if (outcome === 'invalid_token') invalidTokens.push(token);
    else failures.push({ token, code: fcmCode(error), outcome });
  });
  if (delivered.length === 0) throw noDeliveryError(invalidTokens, failures);

  const failed = failures.map(({ token, code }) => ({ token, code }));
  return {
    // One FCM message per token: the first id names the delivery, detail keeps them all.
    providerMessageId: delivered[0]?.messageId ?? '',
    providerCode: failures.length + invalidTokens.length > 0 ? 'partial' : 'accepted',
    detail: {
      delivered: delivered.length,
      invalid: invalidTokens.length,
      failed: failed.map((entry) => entry.code),
      messageIds: delivered.map((entry) => entry.messageId),
    },
    delivered: delivered.map((entry) => entry.token),
    invalidTokens,
    failed,
  };
}
