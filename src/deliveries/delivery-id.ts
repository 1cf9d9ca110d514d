import { createHash } from 'node:crypto';

/**
 * The delivery id is derived from the key, so it is known before the row exists (the Message-ID
 * header uses it) and is the same on every attempt. UUID-shaped (version 8, name-based).
 */
export function deliveryIdFor(deliveryKey: string): string {
  const hex = createHash('sha256')
    .update(`cairn-delivery:${deliveryKey}`)
    .digest('hex')
    .slice(0, 32)
    .split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16] ?? '0', 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
