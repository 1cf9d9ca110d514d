import type { JsonObject } from '../../journeys/run-types';
import type { PrepareMessage } from './driver';
import { renderJson } from './render-json';

/** Webhook: a signed POST to a configured endpoint, with the customer's id in the payload. */
export const prepareWebhook: PrepareMessage<'webhook'> = async ({
  deps,
  customer,
  content,
  scope,
}) => {
  const channel = deps.webhook;
  if (!channel) return { skipped: 'channel_not_configured' };
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
};
