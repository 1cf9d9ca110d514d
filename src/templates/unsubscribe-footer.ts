import type { RenderedEmail } from './render';

export interface UnsubscribeLinks {
  unsubscribe: string;
  preferences?: string;
}

/**
 * Marketing email carries a visible way out, as bulk-sender rules (Gmail, Yahoo) and CAN-SPAM
 * expect, not only the List-Unsubscribe header: unless the template placed
 * `{{links.unsubscribe}}` itself, a short footer with the unsubscribe and preferences links is
 * added to the HTML (before </body> when there is one) and to the text part.
 */
export function withUnsubscribeFooter(
  email: RenderedEmail,
  links: UnsubscribeLinks,
): RenderedEmail {
  if (mentions(email.html, links.unsubscribe)) return email;
  const preferences = links.preferences
    ? ` · <a href="${attribute(links.preferences)}">Email preferences</a>`
    : '';
  const footer =
    '<p style="font-size:12px;color:#6b7280">' +
    `<a href="${attribute(links.unsubscribe)}">Unsubscribe</a>${preferences}</p>`;
  const closing = email.html.search(/<\/body\s*>/i);
  const html =
    closing < 0
      ? `${email.html}\n${footer}`
      : `${email.html.slice(0, closing)}${footer}\n${email.html.slice(closing)}`;
  const textLinks = [
    `Unsubscribe: ${links.unsubscribe}`,
    ...(links.preferences ? [`Email preferences: ${links.preferences}`] : []),
  ];
  return { ...email, html, text: `${email.text.trimEnd()}\n\n${textLinks.join('\n')}\n` };
}

/** The link as the template wrote it: raw, or HTML-escaped by Handlebars. */
function mentions(html: string, url: string): boolean {
  return html.includes(url) || html.includes(attribute(url));
}

function attribute(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/=/g, '&#x3D;');
}
