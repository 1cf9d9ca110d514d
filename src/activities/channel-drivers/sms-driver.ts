import { parsePhoneNumber } from '../../channels/phone-number';
import { fitKeepingLink } from '../../channels/sms-segments';
import { renderPart } from '../../templates/render';
import { storeDeliveryLinks } from '../../tracking/delivery-links';
import { rewriteSmsText } from '../../tracking/rewrite-links';
import { trackingSigner } from '../../tracking/tracking-token';
import type { ChannelDriver, PrepareInput } from './driver';

const DEFAULT_POLICY = { maxSegments: 3, overflow: 'truncate' as const };

/** SMS: a valid E.164 number; the text adapted to the segment policy, its last link kept whole. */
export const smsDriver: ChannelDriver<'sms'> = {
  findRecipient: ({ deps, customer }) => {
    if (!deps.sms) return Promise.resolve({ skipped: 'channel_not_configured' });
    if (!customer.phone) return Promise.resolve({ skipped: 'no_phone' });
    const phone = parsePhoneNumber(customer.phone);
    if (!phone.ok) return Promise.resolve({ skipped: 'invalid_phone' });
    return Promise.resolve({ suppressionChannel: 'sms', addresses: [phone.number] });
  },

  prepare: async (input) => {
    const { deps, content, scope } = input;
    const channel = deps.sms;
    const to = input.recipient.addresses[0];
    if (!channel) return { skipped: 'channel_not_configured' };
    if (!to) return { skipped: 'no_phone' };
    const policy = deps.config.sms ?? DEFAULT_POLICY;
    const text = await shortenLinks(input, renderPart('text', content.text, scope));
    const fit = fitKeepingLink(text, policy.maxSegments, policy.overflow);
    if (fit.refused) return { failed: 'sms_too_long' };
    const label = `${fit.count.segments} segment(s), ${fit.count.encoding}`;
    return {
      recipient: to,
      summary: `SMS, ${label}${fit.truncated ? ', shortened' : ''}`,
      send: (deliveryId) => channel.send({ deliveryId, to, text: fit.text }),
    };
  },
};

/**
 * With tracking on, links become short signed Cairn links (stored before the send), so a click
 * is an sms_clicked event for this message and the text stays within its segments.
 */
async function shortenLinks(input: PrepareInput<'sms'>, text: string): Promise<string> {
  const tracking = input.tracking === false ? undefined : input.deps.config.tracking;
  if (!tracking) return text;
  const shortened = rewriteSmsText(text, {
    baseUrl: tracking.publicBaseUrl,
    sign: trackingSigner(tracking.secret, input.deliveryId),
  });
  await storeDeliveryLinks(input.deps.db, input.deliveryId, shortened.links);
  return shortened.text;
}
