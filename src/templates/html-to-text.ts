/**
 * A plain-text alternative derived from rendered HTML, for emails whose template has no text part.
 * Deliberately simple: it keeps the words and the link targets, not the layout.
 */
export function htmlToText(html: string): string {
  let text = html.replace(/<(script|style|head|title)\b[\s\S]*?<\/\1\s*>/gi, '');
  text = text.replace(/<!--[\s\S]*?-->/g, '');
  text = text.replace(/<a\s[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>([\s\S]*?)<\/a\s*>/gi, linkToText);
  text = text.replace(/<br\s*\/?>/gi, '\n');
  text = text.replace(/<li\b[^>]*>/gi, '\n- ');
  text = text.replace(/<\/(p|div|h[1-6]|tr|table|ul|ol|blockquote|section)\s*>/gi, '\n\n');
  text = text.replace(/<\/(td|th)\s*>/gi, ' ');
  text = decodeEntities(stripTags(text));
  return tidyWhitespace(text);
}

function linkToText(_match: string, _quote: string, href: string, label: string): string {
  const visible = tidyWhitespace(decodeEntities(stripTags(label)));
  const target = decodeEntities(href);
  return visible && visible !== target ? `${visible} (${target})` : target;
}

function stripTags(html: string): string {
  return html.replace(/<[^>]*>/g, '');
}

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] === '#') {
      const code =
        body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : Number(body.slice(1));
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff
        ? String.fromCodePoint(code)
        : entity;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}

function tidyWhitespace(text: string): string {
  return text
    .split('\n')
    .map((line) => line.replace(/[ \t\f\v\u00a0]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
