import { parsePhoneNumber } from '../../channels/phone-number';
import { countSegments, fitToSegments, type FitResult } from '../../channels/sms-segments';
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

const URL_PATTERN = /https?:\/\/\S+/g;

/**
 * Fits the text into the segment budget without losing its call to action: when cutting the end
 * would drop the last link, the words before it are shortened instead and the link kept whole.
 */
export function fitKeepingLink(
  text: string,
  maxSegments: number,
  policy: 'truncate' | 'refuse',
): FitResult {
  const fit = fitToSegments(text, maxSegments, policy);
  if (fit.refused || !fit.truncated) return fit;
  const link = [...text.matchAll(URL_PATTERN)].pop()?.[0];
  if (!link || fit.text.includes(link)) return fit;
  const before = Array.from(text.slice(0, text.lastIndexOf(link)).trimEnd());
  const candidate = (keep: number) => `${before.slice(0, keep).join('').trimEnd()}… ${link}`;
  const fits = (keep: number) => countSegments(candidate(keep)).segments <= maxSegments;
  if (!fits(0)) return { refused: true, count: countSegments(text) };
  let [low, high] = [0, before.length];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  const shortened = candidate(low);
  return { text: shortened, truncated: true, count: countSegments(shortened) };
}
