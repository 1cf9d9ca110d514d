/**
 * Cutting text to a length a person would count: grapheme clusters, so an emoji or an accented
 * letter is never split; at a word boundary where one is near; with an ellipsis only when
 * something was cut. Used for push titles and bodies and for email subjects.
 */

const ELLIPSIS = '…';
/** A word boundary further back than this share of the limit loses too much text; cut mid-word. */
const MIN_KEPT_SHARE = 0.6;

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
