const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

const STYLE =
  'body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;padding:0 1rem;color:#222}' +
  'fieldset{border:1px solid #ccc;margin:1rem 0;padding:.5rem 1rem}label{display:block;margin:.4rem 0}' +
  'small{color:#555;display:block;margin-left:1.6rem}button{font:inherit;padding:.4rem 1rem;margin:.5rem 0}' +
  '.notice{background:#e8f5e9;padding:.5rem 1rem}.error{background:#fdecea;padding:.5rem 1rem}';

/** A complete page: no scripts, no external resources, every value already escaped by the caller. */
export function htmlDocument(title: string, body: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    '<meta name="robots" content="noindex">' +
    `<title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
    `<body>${body}</body></html>`
  );
}

/**
 * Headers for every public unsubscribe page. The token in the URL is a capability: no referrer
 * may carry it elsewhere, no cache may keep the page, no other site may frame it. Scripts are
 * forbidden outright; forms may post only back to Cairn.
 */
export function pageHeaders(publicBaseUrl: string): Record<string, string> {
  return {
    'content-type': 'text/html; charset=utf-8',
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
    'x-robots-tag': 'noindex',
    'x-content-type-options': 'nosniff',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; " +
      `form-action 'self' ${originOf(publicBaseUrl)}; frame-ancestors 'none'; base-uri 'none'`,
  };
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return "'self'";
  }
}
