import type { TrackingSigner } from './tracking-token';

export interface TrackedLink {
  index: number;
  /** The original URL, HTML entities decoded: what the redirect sends the customer to. */
  url: string;
}

export interface RewriteOptions {
  /** Where customers reach Cairn's public routes, e.g. https://t.example.com. */
  baseUrl: string;
  sign: TrackingSigner;
  /** Further URL prefixes left as written, e.g. unsubscribe links served from another origin. */
  untracked?: string[];
}

/** An <a> start tag; quoted attribute values may contain ">". */
const ANCHOR = /<(a)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/gi;
const ATTRIBUTE = /(\s+([^\s"'>/=]+)\s*=\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))|\s+[^\s"'>/=]+/g;
const BODY_END = /<\/body\s*>/gi;
const SMS_URL = /https?:\/\/[^\s<>"']+/gi;
/** Punctuation that ends a sentence rather than the URL it follows. */
const TRAILING_PUNCTUATION = /[.,;:!?)\]}'"]+$/;

/**
 * Rewrites every http(s) link of an email to a signed click redirect and appends an open pixel.
 * mailto:, tel:, anchors and relative links stay, as do Cairn's own links (unsubscribe and
 * preferences under /u/, tracking under /t/): the unsubscribe link must keep working unmodified
 * (one-click and mail clients read it), and a tracked link must not be tracked twice. Links are
 * numbered in document order, one index per occurrence, so a click says which link it was.
 */
export function rewriteEmailHtml(
  html: string,
  options: RewriteOptions,
): { html: string; links: TrackedLink[] } {
  const base = trimBase(options.baseUrl);
  const links: TrackedLink[] = [];
  const rewritten = html.replace(
    ANCHOR,
    (tag: string, name: string, attributes: string, close: string) => {
      const href = findHref(attributes);
      if (!href) return tag;
      const url = decodeHtmlEntities(href.value).trim();
      if (!isTrackable(url, base, options.untracked)) return tag;
      const index = links.length;
      links.push({ index, url });
      const target = `${base}/t/c/${options.sign({ kind: 'click', linkIndex: index })}`;
      const replaced =
        attributes.slice(0, href.start) +
        `${href.prefix}"${escapeAttribute(target)}"` +
        attributes.slice(href.end);
      return `<${name}${replaced}${close ? ' /' : ''}>`;
    },
  );
  return { html: withPixel(rewritten, openPixel(base, options.sign)), links };
}

/**
 * Shortens every http(s) URL of an SMS to `${base}/t/s/<token>` (about 60 characters with a
 * short base), which both counts the click and keeps long URLs from costing segments.
 */
export function rewriteSmsText(
  text: string,
  options: RewriteOptions,
): { text: string; links: TrackedLink[] } {
  const base = trimBase(options.baseUrl);
  const links: TrackedLink[] = [];
  const rewritten = text.replace(SMS_URL, (match: string) => {
    const trailing = TRAILING_PUNCTUATION.exec(match)?.[0] ?? '';
    const url = match.slice(0, match.length - trailing.length);
    if (!isTrackable(url, base, options.untracked)) return match;
    const index = links.length;
    links.push({ index, url });
    return `${base}/t/s/${options.sign({ kind: 'sms_click', linkIndex: index })}${trailing}`;
  });
  return { text: rewritten, links };
}

/** The first href attribute, parsed attribute by attribute (an href inside a quoted value is text). */
function findHref(
  attributes: string,
): { prefix: string; value: string; start: number; end: number } | null {
  for (const match of attributes.matchAll(ATTRIBUTE)) {
    const [all, prefix, name] = match;
    if (prefix === undefined || name?.toLowerCase() !== 'href') continue;
    const value = match[3] ?? match[4] ?? match[5] ?? '';
    return { prefix, value, start: match.index, end: match.index + all.length };
  }
  return null;
}

function isTrackable(url: string, base: string, untracked: string[] = []): boolean {
  if (!/^https?:\/\/[^\s/?#]+/i.test(url)) return false;
  const lower = url.toLowerCase();
  const kept = [`${base}/u/`, `${base}/t/`, ...untracked];
  return !kept.some((prefix) => prefix !== '' && lower.startsWith(prefix.toLowerCase()));
}

function openPixel(base: string, sign: TrackingSigner): string {
  const src = escapeAttribute(`${base}/t/o/${sign({ kind: 'open' })}`);
  return `<img src="${src}" width="1" height="1" alt="" style="display:none">`;
}

/** Before the last </body>, or at the end of a fragment without one. */
function withPixel(html: string, pixel: string): string {
  let last = -1;
  for (const match of html.matchAll(BODY_END)) last = match.index;
  if (last < 0) return html + pixel;
  return html.slice(0, last) + pixel + html.slice(last);
}

function trimBase(baseUrl: string): string {
  if (!/^https?:\/\/[^\s/?#]+/i.test(baseUrl)) {
    throw new Error('tracking baseUrl must be an absolute http(s) URL');
  }
  return baseUrl.replace(/\/+$/, '');
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** The entities a template engine or an editor puts into an href; others are left as written. */
export function decodeHtmlEntities(value: string): string {
  return value.replace(
    /&(?:#(\d{1,7})|#[xX]([0-9a-fA-F]{1,6})|([A-Za-z]+));/g,
    (entity, decimal?: string, hex?: string, name?: string) => {
      if (name !== undefined) return NAMED_ENTITIES[name.toLowerCase()] ?? entity;
      const code = decimal !== undefined ? Number(decimal) : parseInt(hex ?? '', 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    },
  );
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
}
