import type { JsonObject } from '../../journeys/run-types';
import { renderPart } from '../../templates/render';
import { withoutAddress, type ChannelDriver } from './driver';
import { renderJson } from './render-json';

/** In-app: an inbox entry for the customer's app to poll; it reaches no address. */
export const inAppDriver: ChannelDriver<'in_app'> = {
  findRecipient: ({ deps }) => withoutAddress(deps.inApp !== undefined),

  prepare: ({ deps, customer, content, scope }) => {
    const channel = deps.inApp;
    if (!channel) return Promise.resolve({ skipped: 'channel_not_configured' });
    const title = renderPart('title', content.title, scope);
    const body = renderPart('body', content.body, scope);
    const actionUrl = content.actionUrl ? renderPart('link', content.actionUrl, scope) : undefined;
    const data = content.data ? (renderJson('data', content.data, scope) as JsonObject) : undefined;
    return Promise.resolve({
      recipient: `customer:${customer.id}`,
      summary: title,
      send: (deliveryId) =>
        channel.send({ deliveryId, customerId: customer.id, title, body, actionUrl, data }),
    });
  },
};
