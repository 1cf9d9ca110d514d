import { parsePhoneNumber } from '../../channels/phone-number';
import { countSegments, fitToSegments, type FitResult } from '../../channels/sms-segments';
import { isSuppressed } from '../../guardrails/suppression';
import { renderPart } from '../../templates/render';
import { storeDeliveryLinks } from '../../tracking/delivery-links';
import { rewriteSmsText } from '../../tracking/rewrite-links';
import { trackingSigner } from '../../tracking/tracking-token';
import type { PrepareInput, PrepareMessage } from './driver';

const DEFAULT_POLICY = { maxSegments: 3, overflow: 'truncate' as const };

/**
 * SMS: a valid E.164 number that is not suppressed, and consent; the text adapted to the segment
 * policy.
 */
export const prepareSms: PrepareMessage<'sms'> = async (input) => {
  const { deps, customer, content, scope, messageKind } = input;
  const channel = deps.sms;
  if (!channel) return { skipped: 'channel_not_configured' };
  if (!customer.phone) return { skipped: 'no_phone' };
  const phone = parsePhoneNumber(customer.phone);
  if (!phone.ok) return { skipped: 'invalid_phone' };
  if ((await isSuppressed(deps.db, 'sms', phone.number)).suppressed)
    return { skipped: 'suppressed' };
  // A STOP stops every SMS. Marketing SMS also needs an explicit opt-in: no choice is no consent.
  const consent = customer.consent.sms;
  if (consent === 'opted_out' || (messageKind === 'marketing' && consent !== 'opted_in')) {
    return { skipped: 'no_consent' };
  }
  const policy = deps.config.sms ?? DEFAULT_POLICY;
  const text = await shortenLinks(input, renderPart('text', content.text, scope));
  const fit = fitKeepingLink(text, policy.maxSegments, policy.overflow);
  if (fit.refused) return { failed: 'sms_too_long' };
  const to = phone.number;
  const label = `${fit.count.segments} segment(s), ${fit.count.encoding}`;
  return Promise.resolve({
    recipient: to,
    summary: `SMS, ${label}${fit.truncated ? ', shortened' : ''}`,
    send: (deliveryId) => channel.send({ deliveryId, to, text: fit.text }),
  });
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
