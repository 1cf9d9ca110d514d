/**
 * Push adaptation: titles and bodies longer than the configured limits are cut, at a word
 * boundary where one is near, with an ellipsis only when something was actually cut. Lengths are
 * counted in grapheme clusters (what a person sees as one character), so an emoji or an accented
 * letter is never split. The deep link is carried separately and is never touched.
 */

export interface PushLimits {
  /** Default 65: what lock screens show before cutting the title themselves. */
  titleMax: number;
  /** Default 240. */
  bodyMax: number;
}

export const DEFAULT_PUSH_LIMITS: PushLimits = { titleMax: 65, bodyMax: 240 };

const ELLIPSIS = '…';
/** A word boundary further back than this share of the limit loses too much text; cut mid-word. */
const MIN_KEPT_SHARE = 0.6;

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

/**
 * Text of at most `max` grapheme clusters, the ellipsis included. Text that fits is returned
 * unchanged (not even trimmed).
 */
export function truncateText(text: string, max: number): { text: string; cut: boolean } {
  const graphemes = splitGraphemes(text);
  if (graphemes.length <= max) return { text, cut: false };
  const room = max - 1;
  const boundary = lastWordBoundary(graphemes, room);
  const keep = boundary >= Math.ceil(room * MIN_KEPT_SHARE) ? boundary : room;
  const kept = graphemes.slice(0, keep).join('').trimEnd();
  return { text: kept + ELLIPSIS, cut: true };
}

export function graphemeLength(text: string): number {
  return splitGraphemes(text).length;
}

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function splitGraphemes(text: string): string[] {
  return Array.from(segmenter.segment(text), (part) => part.segment);
}

/** The largest n ≤ room such that graphemes[n] starts a new word (whitespace before or at n). */
function lastWordBoundary(graphemes: string[], room: number): number {
  for (let n = room; n > 0; n -= 1) {
    if (isSpace(graphemes[n]) || isSpace(graphemes[n - 1])) return n;
  }
  return 0;
}

function isSpace(grapheme: string | undefined): boolean {
  return grapheme !== undefined && /^\s+$/u.test(grapheme);
}

function assertLimit(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 2) {
    throw new RangeError(`${name} must be an integer of at least 2 (room for one character and …)`);
  }
}
