import type { JsonObject } from '../../journeys/run-types';
import { withoutAddress, type ChannelDriver } from './driver';
import { renderJson } from './render-json';

/**
 * Webhook: a signed POST to an endpoint of the deployment's own (WEBHOOK_ENDPOINTS), with the
 * customer's id in the payload. It reaches no address of the customer.
 */
export const webhookDriver: ChannelDriver<'webhook'> = {
  findRecipient: ({ deps }) => withoutAddress(deps.webhook !== undefined),

  prepare: ({ deps, customer, content, scope }) => {
    const channel = deps.webhook;
    if (!channel) return Promise.resolve({ skipped: 'channel_not_configured' });
    const payload = renderJson('payload', content.payload, scope) as JsonObject;
    return Promise.resolve({
      recipient: `endpoint:${content.endpoint}`,
      summary: content.endpoint,
      send: (deliveryId) =>
        channel.send({
          deliveryId,
          endpoint: content.endpoint,
          payload: { customerId: customer.id, ...payload },
        }),
    });
  },
};
