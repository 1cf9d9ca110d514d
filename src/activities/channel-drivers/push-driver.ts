import type { PushReceipt, SendReceipt } from '../../channels/channel';
import { isPushSendError } from '../../channels/fcm-errors';
import { adaptPushContent, DEFAULT_PUSH_LIMITS } from '../../channels/push-content';
import type { Database } from '../../db/database';
import { listTokens, removeTokens } from '../../channels/device-tokens';
import { renderPart } from '../../templates/render';
import type { ChannelDriver } from './driver';
import { renderJson } from './render-json';

/**
 * Push: every device token of the customer, read now (the suppression check leaves out tokens on
 * the suppression list); dead tokens are dropped after the send.
 */
export const pushDriver: ChannelDriver<'push'> = {
  findRecipient: async ({ deps, customer }) => {
    if (!deps.push) return { skipped: 'channel_not_configured' };
    const tokens = (await listTokens(deps.db, customer.id)).map((row) => row.token);
    if (tokens.length === 0) return { skipped: 'no_device_tokens' };
    return { suppressionChannel: 'push', addresses: tokens };
  },

  prepare: (input) => {
    const { deps, content, scope } = input;
    const channel = deps.push;
    const tokens = input.recipient.addresses;
    if (!channel) return Promise.resolve({ skipped: 'channel_not_configured' });
    if (tokens.length === 0) return Promise.resolve({ skipped: 'no_device_tokens' });
    const adapted = adaptPushContent(
      {
        title: renderPart('title', content.title, scope),
        body: renderPart('body', content.body, scope),
        ...(content.deepLink ? { deepLink: renderPart('link', content.deepLink, scope) } : {}),
      },
      deps.config.push ?? DEFAULT_PUSH_LIMITS,
    );
    const data = content.data
      ? (renderJson('data', content.data, scope) as Record<string, string>)
      : undefined;
    return Promise.resolve({
      recipient: `${tokens.length} device(s)`,
      summary: adapted.title,
      send: (deliveryId) =>
        sendDroppingDeadTokens(deps.db, () =>
          channel.send({
            deliveryId,
            tokens,
            title: adapted.title,
            body: adapted.body,
            ...(adapted.deepLink ? { deepLink: adapted.deepLink } : {}),
            ...(data ? { data } : {}),
            priority: content.priority,
          }),
        ),
      afterSend: async (receipt: SendReceipt) => {
        await removeTokens(deps.db, (receipt as PushReceipt).invalidTokens ?? []);
      },
    });
  },
};

/**
 * When no token took the message, the error still names the dead ones: drop them before the
 * error goes on, or every later push step would fail the same way.
 */
async function sendDroppingDeadTokens(db: Database, send: () => Promise<PushReceipt>) {
  try {
    return await send();
  } catch (error) {
    if (isPushSendError(error)) await removeTokens(db, error.invalidTokens).catch(() => 0);
    throw error;
  }
}
