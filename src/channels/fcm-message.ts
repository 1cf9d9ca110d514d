import type { TokenMessage } from 'firebase-admin/messaging';
import { ChannelError, type OutboundPush } from './channel';

/** FCM refuses data keys that collide with its own fields. */
const RESERVED_DATA_KEY = /^(from|notification|message_type|collapse_key)$|^(google|gcm)(\.|$)/i;
/** Apple's limit on apns-collapse-id. */
const APNS_COLLAPSE_ID_MAX_BYTES = 64;

/**
 * The FCM message for one token. The deep link travels in data.deep_link (every platform's app
 * reads it there) and as the web push click target when it is an https URL (FCM accepts no other).
 * The delivery id is the notification's tag/collapse id, so a duplicate replaces the first on the
 * device instead of showing twice, and it is in data.delivery_id for the app to deduplicate.
 */
export function fcmMessage(push: OutboundPush, token: string): TokenMessage {
  const high = push.priority === 'high';
  const data = payloadData(push);
  const collapseId: Record<string, string> =
    Buffer.byteLength(push.deliveryId, 'utf8') <= APNS_COLLAPSE_ID_MAX_BYTES
      ? { 'apns-collapse-id': push.deliveryId }
      : {};
  return {
    token,
    notification: { title: push.title, body: push.body },
    data,
    android: {
      priority: high ? 'high' : 'normal',
      notification: { tag: push.deliveryId },
    },
    apns: {
      headers: { 'apns-priority': high ? '10' : '5', ...collapseId },
    },
    webpush: {
      headers: { Urgency: high ? 'high' : 'normal' },
      ...(isHttpsUrl(push.deepLink) ? { fcmOptions: { link: push.deepLink } } : {}),
    },
  };
}

function payloadData(push: OutboundPush): Record<string, string> {
  const data: Record<string, string> = { ...(push.data ?? {}) };
  for (const key of Object.keys(data)) {
    if (RESERVED_DATA_KEY.test(key))
      throw new ChannelError('push', 'permanent', 'fcm_reserved_data_key');
  }
  data.delivery_id = push.deliveryId;
  if (push.deepLink !== undefined) data.deep_link = push.deepLink;
  return data;
}

function isHttpsUrl(link: string | undefined): link is string {
  if (!link) return false;
  try {
    return new URL(link).protocol === 'https:';
  } catch {
    return false;
  }
}
