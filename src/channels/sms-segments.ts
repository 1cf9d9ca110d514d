/**
 * SMS segment arithmetic (3GPP TS 23.038): a text that fits the GSM-7 alphabet costs septets,
 * anything else goes out as UCS-2 and costs UTF-16 code units. Pure; no I/O.
 */

export type SmsEncoding = 'gsm7' | 'ucs2';

export interface SegmentCount {
  encoding: SmsEncoding;
  /** Billable segments; 0 for an empty text. */
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
}

export type TruncationPolicy = 'truncate' | 'refuse';

export type FitResult =
  | { refused?: never; text: string; truncated: boolean; count: SegmentCount }
  | { refused: true; count: SegmentCount };

const GSM7_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
/** Reached through the escape character, so each costs two septets. */
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

const LIMITS: Record<SmsEncoding, { single: number; multipart: number }> = {
  gsm7: { single: 160, multipart: 153 },
  ucs2: { single: 70, multipart: 67 },
};

/** The ellipsis that keeps the text's encoding: "…" is not in GSM-7 and would flip it to UCS-2. */
const ELLIPSIS: Record<SmsEncoding, string> = { gsm7: '...', ucs2: '…' };

export function isGsm7(text: string): boolean {
  for (const char of text) if (!BASIC.has(char) && !EXTENSION.has(char)) return false;
  return true;
}

export function countSegments(text: string): SegmentCount {
  const encoding: SmsEncoding = isGsm7(text) ? 'gsm7' : 'ucs2';
  const costs = Array.from(text, (char) => unitCost(char, encoding));
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  return { encoding, segments: packSegments(costs, units, encoding), units };
}

/**
 * Makes the text fit in `maxSegments`. A text that fits is returned untouched. Otherwise
 * 'refuse' refuses, and 'truncate' cuts at a grapheme boundary (never inside an escape sequence,
 * a surrogate pair or a combined emoji), drops trailing spaces and appends an ellipsis.
 */
export function fitToSegments(
  text: string,
  maxSegments: number,
  policy: TruncationPolicy,
): FitResult {
  if (!Number.isInteger(maxSegments) || maxSegments < 1) {
    throw new RangeError('maxSegments must be a whole number of at least 1');
  }
  const count = countSegments(text);
  if (count.segments <= maxSegments) return { text, truncated: false, count };
  if (policy === 'refuse') return { refused: true, count };
  return truncate(text, maxSegments);
}

function truncate(text: string, maxSegments: number): FitResult {
  const graphemes = splitGraphemes(text);
  // Fitting is monotonic in the prefix length (a longer prefix never needs fewer segments).
  let low = 0;
  let high = graphemes.length - 1;
  let best = withEllipsis('');
  while (low <= high) {
    const middle = Math.floor((low + high) / 2);
    const candidate = withEllipsis(graphemes.slice(0, middle).join(''));
    if (candidate.count.segments <= maxSegments) {
      best = candidate;
      low = middle + 1;
    } else {
      high = middle - 1;
    }
  }
  return { text: best.text, truncated: true, count: best.count };
}

function withEllipsis(prefix: string, after = ''): { text: string; count: SegmentCount } {
  const kept = prefix.trimEnd();
  const text = kept + ELLIPSIS[isGsm7(kept + after) ? 'gsm7' : 'ucs2'] + after;
  return { text, count: countSegments(text) };
}

const URL_PATTERN = /https?:\/\/\S+/g;

/**
 * fitToSegments without losing the call to action: when cutting the end would drop the last
 * link, the words before it are shortened instead and the link kept whole ("... <link>", or
 * "… <link>" in a text that is UCS-2 anyway).
 */
export function fitKeepingLink(
  text: string,
  maxSegments: number,
  policy: TruncationPolicy,
): FitResult {
  const fit = fitToSegments(text, maxSegments, policy);
  if (fit.refused || !fit.truncated) return fit;
  const link = [...text.matchAll(URL_PATTERN)].pop()?.[0];
  if (!link || fit.text.includes(link)) return fit;
  const before = splitGraphemes(text.slice(0, text.lastIndexOf(link)).trimEnd());
  const candidate = (keep: number) => withEllipsis(before.slice(0, keep).join(''), ` ${link}`);
  const fits = (keep: number) => candidate(keep).count.segments <= maxSegments;
  if (!fits(0)) return { refused: true, count: countSegments(text) };
  let [low, high] = [0, before.length];
  while (low < high) {
    const middle = Math.ceil((low + high) / 2);
    if (fits(middle)) low = middle;
    else high = middle - 1;
  }
  const shortened = candidate(low);
  return { text: shortened.text, truncated: true, count: shortened.count };
}

function unitCost(char: string, encoding: SmsEncoding): number {
  if (encoding === 'ucs2') return char.length;
  return EXTENSION.has(char) ? 2 : 1;
}

/**
 * Segments are filled greedily; a character that does not fit whole (an escaped GSM-7
 * character, a surrogate pair) moves to the next segment, as handsets and Twilio do.
 */
function packSegments(costs: number[], units: number, encoding: SmsEncoding): number {
  const { single, multipart } = LIMITS[encoding];
  if (units === 0) return 0;
  if (units <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > multipart) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return segments;
}

const graphemeSegmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

function splitGraphemes(text: string): string[] {
  return Array.from(graphemeSegmenter.segment(text), (part) => part.segment);
}
