import { createHmac } from 'node:crypto';

/**
 * The credential in the codec endpoint's URL for Temporal Web UI, which cannot send Cairn's
 * API key as a header: derived from one API key, it opens /codec and nothing else, and changes
 * when that key is rotated.
 */
export function codecEndpointToken(apiKey: string): string {
  return createHmac('sha256', apiKey).update('cairn codec endpoint').digest('hex');
}
