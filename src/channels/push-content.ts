/**
 * Push adaptation: titles and bodies longer than the configured limits are cut, at a word
 * boundary where one is near, with an ellipsis only when something was actually cut. Lengths are
 * counted in grapheme clusters (what a person sees as one character), so an emoji or an accented
 * letter is never split. The deep link is carried separately and is never touched.
 */

import { truncateText } from './text-fit';

export { graphemeLength, truncateText } from './text-fit';

export interface PushLimits {
  /** Default 65: what lock screens show before cutting the title themselves. */
  titleMax: number;
  /** Default 240. */
  bodyMax: number;
}

export const DEFAULT_PUSH_LIMITS: PushLimits = { titleMax: 65, bodyMax: 240 };

export interface PushText {
  title: string;
  body: string;
  deepLink?: string;
}

export interface AdaptedPushText extends PushText {
  /** Which fields were cut, for the delivery record. */
  cut: { title: boolean; body: boolean };
}

export function adaptPushContent(
  content: PushText,
  limits: PushLimits = DEFAULT_PUSH_LIMITS,
): AdaptedPushText {
  assertLimit('titleMax', limits.titleMax);
  assertLimit('bodyMax', limits.bodyMax);
  const title = truncateText(content.title, limits.titleMax);
  const body = truncateText(content.body, limits.bodyMax);
  return {
    ...content,
    title: title.text,
    body: body.text,
    cut: { title: title.cut, body: body.cut },
  };
}

function assertLimit(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 2) {
    throw new RangeError(`${name} must be an integer of at least 2 (room for one character and …)`);
  }
}
